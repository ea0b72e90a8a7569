import { useState, type FormEvent } from 'react';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { useApi } from '../session';
import { Dialog } from './Dialog';
import { ActionError } from './Status';

export interface Erasure {
  erasure_id: string;
  status: string;
}

/** Right to erasure (admins): DELETE /v1/customers/:id once the customer id has been typed in full. */
export function EraseDialog({
  customerId,
  onErased,
  onClose,
}: {
  customerId: string;
  onErased: (e: Erasure) => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [typed, setTyped] = useState('');
  const matches = typed.trim() === customerId;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!matches) return;
    const r = await action.run(() => api.del<Erasure>(`/v1/customers/${encodeURIComponent(customerId)}`));
    if (r) onErased(r);
  }

  return (
    <Dialog title={t('profile.eraseTitle')} onClose={onClose} testId="erase-dialog" tone="danger">
      <form className="dialog-form" onSubmit={submit} noValidate>
        <p>{t('profile.eraseHint')}</p>
        <label className="field">
          <span>{t('profile.eraseType', { id: customerId })}</span>
          <input
            value={typed}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setTyped(e.target.value)}
            className="mono"
            data-testid="erase-confirm-id"
          />
        </label>
        <ActionError error={action.error} testId="erase-error" />
        <div className="dialog-buttons">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="btn btn-danger btn-solid-danger"
            disabled={!matches || action.busy}
            data-testid="erase-submit"
          >
            {t('profile.eraseConfirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
