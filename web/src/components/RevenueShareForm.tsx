import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { useAction, useResource } from '../hooks';
import { useI18n, type MessageKey } from '../i18n';
import { can, useMe } from '../me';
import { SHARE_BASES, type RevenueShare } from '../pages/Settlements';
import { useApi } from '../session';
import { Panel } from './PageHeader';
import { ActionError, ErrorMessage, Loading } from './Status';

/** 门店分成: the stores' revenue share (percent and basis); admins change it, analysts and store staff read it. */
export function RevenueShareForm() {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const { data, error, loading, reload } = useResource<RevenueShare>('/v1/settings/revenue-share');
  const [percent, setPercent] = useState('');
  const [basis, setBasis] = useState<RevenueShare['basis']>('margin');
  const [saved, setSaved] = useState(false);
  const save = useAction();
  useEffect(() => {
    if (data) {
      setPercent(String(data.percent));
      setBasis(data.basis);
    }
  }, [data]);
  // Roles that may not read it (marketers, support) do not see the panel.
  if (error instanceof ApiError && error.status === 403) return null;
  const editable = can(me, 'manageSettlements');

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const done = await save.run(() =>
      api.put<RevenueShare>('/v1/settings/revenue-share', { percent: Number(percent), basis }),
    );
    if (done) {
      setSaved(true);
      reload();
    }
  }

  return (
    <Panel title={t('settle.share')} hint={t('settle.shareHint')} testId="revenue-share">
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && loading && <Loading />}
      {data && (
        <form className="form-row" onSubmit={submit} noValidate data-testid="revenue-share-form">
          <label className="field">
            <span>{t('settle.percent')}</span>
            <input
              type="number"
              min={0}
              max={100}
              step={0.01}
              value={percent}
              disabled={!editable}
              onChange={(e) => setPercent(e.target.value)}
              data-testid="revenue-share-percent"
            />
          </label>
          <label className="field">
            <span>{t('settle.basisLabel')}</span>
            <select
              value={basis}
              disabled={!editable}
              onChange={(e) => setBasis(e.target.value as RevenueShare['basis'])}
              data-testid="revenue-share-basis"
            >
              {SHARE_BASES.map((b) => (
                <option key={b} value={b}>
                  {t(`settle.basisKind.${b}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          {editable && (
            <button type="submit" className="btn btn-primary" disabled={save.busy} data-testid="revenue-share-save">
              {t('settle.save')}
            </button>
          )}
          {saved && (
            <span className="status status-ok" role="status" data-testid="revenue-share-saved">
              {t('settle.saved')}
            </span>
          )}
        </form>
      )}
      <p className="muted small">{t('settle.basisHelp')}</p>
      <ActionError error={save.error} testId="revenue-share-error" />
    </Panel>
  );
}
