import { useState, type FormEvent } from 'react';
import type { IdentifierView as ApiIdentifierView, Revealed } from '../api';
import { formatDateTime } from '../format';
import { useAction } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { can, useMe } from '../me';
import { useApi } from '../session';
import { Dialog } from './Dialog';
import { ActionError } from './Status';

// As the server counts: letters and digits, once invisible characters and punctuation are gone.
const MIN_REASON = 8;
const meaningful = (s: string) => s.normalize('NFKC').replace(/[^\p{L}\p{N}]/gu, '').length;

/** verified_by: how the identifier was verified (otp, wechat_login, ...); null when not recorded. */
type IdentifierView = ApiIdentifierView & { verified_by?: string | null };

/** Asks why, then POST /v1/customers/:id/reveal: the full values of one identifier type (audited with the reason). */
function RevealDialog({
  customerId,
  type,
  onRevealed,
  onClose,
}: {
  customerId: string;
  type: string;
  onRevealed: (r: Revealed) => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [reason, setReason] = useState('');
  const [tooShort, setTooShort] = useState(false);
  const label = translateValue(t, 'identifier', type);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const why = reason.trim();
    if (meaningful(why) < MIN_REASON) return setTooShort(true);
    setTooShort(false);
    const r = await action.run(() =>
      api.post<Revealed>(`/v1/customers/${encodeURIComponent(customerId)}/reveal`, { type, reason: why }),
    );
    if (r) onRevealed(r);
  }

  return (
    <Dialog title={t('profile.revealTitle', { type: label })} onClose={onClose} testId="reveal-dialog">
      <form className="dialog-form" onSubmit={submit} noValidate>
        <p className="muted small">{t('profile.revealHint')}</p>
        <label className="field">
          <span>{t('profile.revealReason')}</span>
          <textarea
            value={reason}
            maxLength={500}
            rows={3}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={tooShort}
            data-testid="reveal-reason"
          />
        </label>
        {tooShort && (
          <div className="status status-error form-error" role="alert" data-testid="reveal-reason-error">
            {t('profile.reasonTooShort')}
          </div>
        )}
        <ActionError error={action.error} testId="reveal-error" />
        <div className="dialog-buttons">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="reveal-submit">
            {t('profile.revealSubmit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * Every identifier of the person: the value for admins, masked for support and store staff, hidden
 * for the others; strong or weak; how it was verified; first and last seen. Support may reveal a masked type, with a reason.
 */
export function IdentitiesTable({ customerId, identifiers }: { customerId: string; identifiers: IdentifierView[] }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const [revealing, setRevealing] = useState<string | null>(null);
  const [revealed, setRevealed] = useState<Record<string, Revealed['values']>>({});
  if (identifiers.length === 0) return <p className="muted small">{t('profile.noIdentifiers')}</p>;

  const valueOf = (i: IdentifierView): string | null => {
    if (i.value !== undefined) return i.value;
    const values = revealed[i.type];
    if (!values) return null;
    const hit =
      values.find((v) => v.masked === i.masked && v.first_seen === i.first_seen) ??
      values.find((v) => v.masked === i.masked);
    return hit ? hit.value : null;
  };

  return (
    <>
      <div className="table-wrap">
        <table className="table table-compact" data-testid="identities-table">
          <thead>
            <tr>
              <th>{t('profile.type')}</th>
              <th>{t('profile.value')}</th>
              <th>{t('profile.seen')}</th>
            </tr>
          </thead>
          <tbody>
            {identifiers.map((i, n) => {
              const full = valueOf(i);
              const canReveal = full === null && i.masked !== undefined && can(me, 'reveal');
              return (
                <tr key={`${i.type}-${n}`} data-testid="identity-row" data-type={i.type}>
                  <td>
                    <div className="stack">
                      <span className="nowrap">{translateValue(t, 'identifier', i.type)}</span>
                      <span
                        className={'badge badge-small ' + (i.strong ? 'badge-info' : 'badge-muted')}
                        title={t(i.strong ? 'profile.strongHint' : 'profile.weakHint')}
                        data-testid="identity-strength"
                      >
                        {t(i.strong ? 'profile.strong' : 'profile.weak')}
                      </span>
                      <span
                        className="muted small nowrap"
                        title={t('profile.verifiedByHint')}
                        data-testid="identity-verified-by"
                      >
                        {t('profile.verifiedBy')}: {translateValue(t, 'verifiedBy', i.verified_by ?? 'legacy')}
                      </span>
                    </div>
                  </td>
                  <td>
                    {full !== null ? (
                      <span className="mono" data-testid="identity-value">
                        {full}
                        {i.value === undefined && (
                          <span className="badge badge-warn badge-inline">{t('profile.revealed')}</span>
                        )}
                      </span>
                    ) : i.masked !== undefined ? (
                      <span className="identity-masked">
                        <span className="mono" data-testid="identity-value">
                          {i.masked}
                        </span>
                        {canReveal && (
                          <button
                            type="button"
                            className="btn btn-small btn-link"
                            onClick={() => setRevealing(i.type)}
                            data-testid={`reveal-${i.type}`}
                          >
                            {t('profile.reveal')}
                          </button>
                        )}
                      </span>
                    ) : (
                      <em className="muted" data-testid="identity-value">
                        {t('common.hidden')}
                      </em>
                    )}
                  </td>
                  <td className="nowrap small">
                    <div className="stack">
                      <span title={t('profile.firstSeen')}>
                        <span className="muted">{t('profile.firstSeenShort')}</span>{' '}
                        {formatDateTime(i.first_seen, lang)}
                      </span>
                      <span title={t('profile.lastSeen')}>
                        <span className="muted">{t('profile.lastSeenShort')}</span> {formatDateTime(i.last_seen, lang)}
                      </span>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {revealing && (
        <RevealDialog
          customerId={customerId}
          type={revealing}
          onClose={() => setRevealing(null)}
          onRevealed={(r) => {
            setRevealed((prev) => ({ ...prev, [r.type]: r.values }));
            setRevealing(null);
          }}
        />
      )}
    </>
  );
}
