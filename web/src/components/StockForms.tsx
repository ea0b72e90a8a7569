import { useState, type FormEvent } from 'react';
import { MOVEMENT_REASONS, type MovementReason, type StockLevel } from '../api';
import { formatInt } from '../format';
import { useAction } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { useApi } from '../session';
import { ActionError } from './Status';

/** A whole number from a form field, or null (empty, fractional or not a number). */
function integer(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isInteger(n) ? n : null;
}

function Saved({ level }: { level: StockLevel | null }) {
  const { t } = useI18n();
  if (!level) return null;
  return (
    <div className="status status-ok" role="status" data-testid="stock-saved">
      {t('stockForm.saved', {
        on_hand: formatInt(level.on_hand),
        available: formatInt(level.available),
        online: formatInt(level.online_available),
      })}
    </div>
  );
}

/** 盘点: set what was counted on the shelf (and optionally the safety stock kept back from online sale). */
export function StockCountForm({
  sku,
  location,
  current,
  onSaved,
}: {
  sku: string;
  location: string;
  current: StockLevel | undefined;
  onSaved: (l: StockLevel) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [onHand, setOnHand] = useState(current ? String(current.on_hand) : '');
  const [safety, setSafety] = useState(current ? String(current.safety_stock) : '');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saved, setSaved] = useState<StockLevel | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    const on_hand = integer(onHand);
    const safety_stock = integer(safety);
    if (on_hand === null || on_hand < 0) return setInvalid(t('stockForm.onHandInvalid'));
    if (safety.trim() !== '' && (safety_stock === null || safety_stock < 0))
      return setInvalid(t('stockForm.safetyInvalid'));
    setInvalid(null);
    const level = await action.run(() =>
      api.put<StockLevel>(`/v1/stock/${encodeURIComponent(location)}/${encodeURIComponent(sku)}`, {
        on_hand,
        ...(safety_stock !== null ? { safety_stock } : {}),
      }),
    );
    if (level) {
      setSaved(level);
      onSaved(level);
    }
  }

  return (
    <form className="stock-form" onSubmit={submit} noValidate data-testid="count-form">
      <h4>{t('stockForm.count')}</h4>
      <p className="muted small">{t('stockForm.countHint')}</p>
      <label className="field">
        <span>{t('inventory.onHand')}</span>
        <input
          type="number"
          min={0}
          step={1}
          value={onHand}
          onChange={(e) => setOnHand(e.target.value)}
          data-testid="count-on-hand"
        />
      </label>
      <label className="field">
        <span>
          {t('inventory.safety')} <small className="muted">{t('settings.optional')}</small>
        </span>
        <input
          type="number"
          min={0}
          step={1}
          value={safety}
          onChange={(e) => setSafety(e.target.value)}
          data-testid="count-safety"
        />
      </label>
      {invalid && (
        <div className="status status-error form-error" role="alert">
          {invalid}
        </div>
      )}
      <ActionError error={action.error} testId="count-error" />
      <Saved level={saved} />
      <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="count-submit">
        {t('stockForm.countSubmit')}
      </button>
    </form>
  );
}

/** 出入库: a receipt, a transfer, damage… as a signed quantity with its reason. */
export function MovementForm({
  sku,
  location,
  onSaved,
}: {
  sku: string;
  location: string;
  onSaved: (l: StockLevel) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState<MovementReason>('receipt');
  const [ref, setRef] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saved, setSaved] = useState<StockLevel | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    const d = integer(delta);
    if (d === null || d === 0) return setInvalid(t('stockForm.deltaInvalid'));
    setInvalid(null);
    const level = await action.run(() =>
      api.post<StockLevel>('/v1/stock/movements', {
        location_id: location,
        sku,
        delta: d,
        reason,
        ...(ref.trim() ? { ref: ref.trim() } : {}),
      }),
    );
    if (level) {
      setDelta('');
      setRef('');
      setSaved(level);
      onSaved(level);
    }
  }

  return (
    <form className="stock-form" onSubmit={submit} noValidate data-testid="movement-form">
      <h4>{t('stockForm.movement')}</h4>
      <p className="muted small">{t('stockForm.movementHint')}</p>
      <label className="field">
        <span>{t('stockForm.delta')}</span>
        <input
          type="number"
          step={1}
          placeholder="+10 / -2"
          value={delta}
          onChange={(e) => setDelta(e.target.value)}
          data-testid="move-delta"
        />
      </label>
      <label className="field">
        <span>{t('stockForm.reason')}</span>
        <select value={reason} onChange={(e) => setReason(e.target.value as MovementReason)} data-testid="move-reason">
          {MOVEMENT_REASONS.map((r) => (
            <option key={r} value={r}>
              {translateValue(t, 'reason', r)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>
          {t('stockForm.ref')} <small className="muted">{t('settings.optional')}</small>
        </span>
        <input value={ref} maxLength={200} onChange={(e) => setRef(e.target.value)} data-testid="move-ref" />
      </label>
      {invalid && (
        <div className="status status-error form-error" role="alert">
          {invalid}
        </div>
      )}
      <ActionError error={action.error} testId="move-error" />
      <Saved level={saved} />
      <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="move-submit">
        {t('stockForm.moveSubmit')}
      </button>
    </form>
  );
}
