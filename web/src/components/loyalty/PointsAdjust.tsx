import { useState, type FormEvent } from 'react';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { newIdempotencyKey } from '../../loyalty';
import { useApi } from '../../session';
import { FieldError, FormError } from './FieldError';

/** Adds or takes points with a reason (admin and support; audited): POST /v1/points/adjust. */
export function PointsAdjust({ customerId, onDone }: { customerId: string; onDone: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [sign, setSign] = useState<1 | -1>(1);
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [idem, setIdem] = useState(() => newIdempotencyKey('adjust'));
  const [done, setDone] = useState<number | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const n = Number(points);
    if (!Number.isInteger(n) || n <= 0) return setInvalid(t('wallet.adjust.pointsInvalid'));
    if (!reason.trim()) return setInvalid(t('wallet.adjust.reasonRequired'));
    setInvalid(null);
    setDone(null);
    const ok = await action.run(() =>
      api.post(
        '/v1/points/adjust',
        { customer: { id: customerId }, points: sign * n, reason: reason.trim() },
        { idempotencyKey: idem },
      ),
    );
    if (ok !== undefined) {
      setDone(sign * n);
      setPoints('');
      setReason('');
      setIdem(newIdempotencyKey('adjust'));
      onDone();
    }
  }

  const changed = () => {
    setIdem(newIdempotencyKey('adjust'));
    setDone(null);
  };

  return (
    <form className="points-adjust" onSubmit={submit} noValidate data-testid="points-adjust">
      <div className="form-grid">
        <div className="field">
          <span>{t('wallet.adjust.direction')}</span>
          <div className="segmented" role="radiogroup">
            {([1, -1] as const).map((s) => (
              <button
                key={s}
                type="button"
                role="radio"
                aria-checked={sign === s}
                className={sign === s ? 'active' : ''}
                onClick={() => {
                  setSign(s);
                  changed();
                }}
                data-testid={`adjust-${s > 0 ? 'add' : 'deduct'}`}
              >
                {t(s > 0 ? 'wallet.adjust.add' : 'wallet.adjust.deduct')}
              </button>
            ))}
          </div>
        </div>
        <label className="field">
          <span>{t('wallet.adjust.points')}</span>
          <input
            type="number"
            min={1}
            step={1}
            value={points}
            onChange={(e) => {
              setPoints(e.target.value);
              changed();
            }}
            data-testid="adjust-points"
          />
          <FieldError error={action.error} name="points" />
        </label>
        <label className="field field-wide">
          <span>{t('wallet.adjust.reason')}</span>
          <input
            value={reason}
            maxLength={200}
            placeholder={t('wallet.adjust.reasonPlaceholder')}
            onChange={(e) => {
              setReason(e.target.value);
              changed();
            }}
            data-testid="adjust-reason"
          />
          <FieldError error={action.error} name="reason" />
        </label>
      </div>
      {invalid && (
        <div className="status status-error form-error" role="alert" data-testid="adjust-invalid">
          {invalid}
        </div>
      )}
      <FormError error={action.error} fields={['points', 'reason']} testId="adjust-error" />
      {done !== null && (
        <div className="status status-ok" role="status" data-testid="adjust-done">
          {t('wallet.adjust.done', { points: done > 0 ? `+${done}` : String(done) })}
        </div>
      )}
      <div className="form-buttons">
        <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="adjust-submit">
          {t('wallet.adjust.submit')}
        </button>
      </div>
    </form>
  );
}
