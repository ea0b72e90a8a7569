import { useState, type FormEvent } from 'react';
import type { Identified, IdentifierType, IdentifyRequest, Profile, Verification, VerificationType } from '../../api';
import { useAction } from '../../hooks';
import { translateValue, useI18n } from '../../i18n';
import { newIdempotencyKey } from '../../loyalty';
import { useApi } from '../../session';
import { ActionError } from '../Status';

/** What a member may add at the till: identifiers a one-time code can prove. */
const NEW_TYPES = ['email', 'phone'] as const satisfies readonly VerificationType[];

interface Ident {
  type: VerificationType;
  value: string;
}

/** One identifier to prove: the code sent to it (once asked) and the digits typed. */
interface Proof {
  ident: Ident;
  idempotencyKey: string;
  sent: Verification | null;
  code: string;
}

const isVerifiable = (type: string): type is VerificationType => (NEW_TYPES as readonly string[]).includes(type);

/**
 * Adds a phone or e-mail to the member found at the till (POST /v1/identify with what found them).
 * The till is not a trusted caller: when the API withholds the link (linked: false, pending_verification)
 * the member proves the identifier that found them and the new one holds a separate profile meanwhile,
 * so both get a one-time code (POST /v1/verifications), and identify is asked again with the codes.
 */
export function LinkIdentifier({
  member,
  by,
  onLinked,
}: {
  member: Profile;
  by: { type: IdentifierType; value: string };
  onLinked: (p: Profile) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [type, setType] = useState<VerificationType>('email');
  const [value, setValue] = useState('');
  const [proofs, setProofs] = useState<Proof[] | null>(null);
  const [unprovable, setUnprovable] = useState(false);
  const fresh = { type, value: value.trim() };

  const identify = (verification?: { id: string; code: string }[]) =>
    action.run(async () => {
      const body: IdentifyRequest = {
        channel: 'pos',
        identifiers: [by, fresh],
        ...(verification ? { verification } : {}),
      };
      const res = await api.post<Identified>('/v1/identify', body);
      if (res.linked !== false)
        return onLinked(await api.get<Profile>(`/v1/customers/${encodeURIComponent(res.customer_id)}`));
      const pending = res.pending_verification ?? [];
      setUnprovable(pending.some((p) => p !== fresh.type && (p !== by.type || !isVerifiable(p))));
      const needed: Ident[] = [
        ...(isVerifiable(by.type) && pending.includes(by.type) ? [{ type: by.type, value: by.value }] : []),
        fresh,
      ];
      // Codes are used up by any answer: each round asks for new ones.
      setProofs(needed.map((ident) => ({ ident, idempotencyKey: newIdempotencyKey('verify'), sent: null, code: '' })));
    });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!fresh.value) return;
    setProofs(null);
    void identify();
  }

  const update = (i: number, change: Partial<Proof>) =>
    setProofs((ps) => ps && ps.map((p, n) => (n === i ? { ...p, ...change } : p)));

  async function send(i: number, p: Proof) {
    const v = await action.run(() =>
      api.post<Verification>('/v1/verifications', p.ident, { idempotencyKey: p.idempotencyKey }),
    );
    if (v) update(i, { sent: v });
  }

  const ready = proofs !== null && proofs.every((p) => p.sent && p.code.trim());
  function verify(e: FormEvent) {
    e.preventDefault();
    if (ready) void identify(proofs.map((p) => ({ id: p.sent!.id, code: p.code.trim() })));
  }

  return (
    <div className="till-link" data-testid="till-link" data-customer={member.id}>
      <form className="inline-form" onSubmit={submit} noValidate>
        <select
          value={type}
          disabled={proofs !== null}
          onChange={(e) => setType(e.target.value as VerificationType)}
          aria-label={t('tillLink.type')}
          data-testid="till-link-type"
        >
          {NEW_TYPES.map((ty) => (
            <option key={ty} value={ty}>
              {translateValue(t, 'identifier', ty)}
            </option>
          ))}
        </select>
        <input
          value={value}
          readOnly={proofs !== null}
          aria-label={t('tillLink.value')}
          placeholder={t('tillLink.value')}
          onChange={(e) => setValue(e.target.value)}
          data-testid="till-link-value"
        />
        <button
          type="submit"
          className="btn"
          disabled={action.busy || !fresh.value || proofs !== null}
          data-testid="till-link-submit"
        >
          {t('tillLink.submit')}
        </button>
      </form>
      {proofs && (
        <form className="till-link-proofs" onSubmit={verify} noValidate data-testid="till-link-pending">
          <p className="status status-info" role="status">
            {unprovable ? t('tillLink.needPhone') : t('tillLink.needCode')}
          </p>
          {!unprovable &&
            proofs.map((p, i) => (
              <div
                key={`${p.ident.type}:${p.ident.value}`}
                className="inline-form"
                data-testid="till-link-proof"
                data-type={p.ident.type}
              >
                <span>
                  {translateValue(t, 'identifier', p.ident.type)} <span className="mono">{p.ident.value}</span>
                </span>
                {p.sent ? (
                  <input
                    value={p.code}
                    className="mono"
                    inputMode="numeric"
                    maxLength={6}
                    autoComplete="one-time-code"
                    aria-label={t('tillLink.code')}
                    placeholder={t('tillLink.code')}
                    onChange={(e) => update(i, { code: e.target.value })}
                    data-testid="till-link-code"
                  />
                ) : (
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={action.busy}
                    onClick={() => send(i, p)}
                    data-testid="till-link-send"
                  >
                    {t('tillLink.send')}
                  </button>
                )}
              </div>
            ))}
          {!unprovable && (
            <button
              type="submit"
              className="btn btn-primary"
              disabled={action.busy || !ready}
              data-testid="till-link-verify"
            >
              {t('tillLink.verify')}
            </button>
          )}
        </form>
      )}
      <ActionError error={action.error} testId="till-link-error" />
    </div>
  );
}
