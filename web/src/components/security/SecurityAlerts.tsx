import { useMemo } from 'react';
import type { ApiKey, SecurityAlert } from '../../api';
import { formatDateTime } from '../../format';
import { useAction, useResource } from '../../hooks';
import { translateValue, useI18n, type Lang, type Translate } from '../../i18n';
import { href } from '../../router';
import { useApi } from '../../session';
import { DetailChips } from '../DetailChips';
import { Panel } from '../PageHeader';
import { ActionError, ErrorMessage, Loading } from '../Status';

/** Details already shown in their own column. */
const SHOWN_ELSEWHERE = new Set(['key_id', 'key_name']);

/** A bulk-access or pickup-guessing alert in words; any other kind as its detail chips. */
function AlertDetails({ alert, t, lang }: { alert: SecurityAlert; t: Translate; lang: Lang }) {
  const d = alert.details;
  if (
    alert.kind === 'bulk_access' &&
    typeof d.reads === 'number' &&
    typeof d.limit === 'number' &&
    typeof d.window_seconds === 'number'
  ) {
    return (
      <span>{t('security.reads', { reads: d.reads, limit: d.limit, window: Math.round(d.window_seconds / 60) })}</span>
    );
  }
  if (
    alert.kind === 'pickup_code_guessing' &&
    typeof d.failures === 'number' &&
    typeof d.locked_until === 'string' &&
    typeof d.order_id === 'string'
  ) {
    return (
      <span>
        {t('security.pickupGuessing', { failures: d.failures, until: formatDateTime(d.locked_until, lang) })} ·{' '}
        <a className="mono" href={href('orders', d.order_id)} data-testid="security-alert-order">
          {d.order_id}
        </a>
      </span>
    );
  }
  return <DetailChips details={Object.fromEntries(Object.entries(d).filter(([k]) => !SHOWN_ELSEWHERE.has(k)))} />;
}

/** The open security alerts, newest first, each with a "clear" button (which unblocks a blocked key). */
export function SecurityAlerts() {
  const { t, lang } = useI18n();
  const api = useApi();
  const alerts = useResource<{ items: SecurityAlert[] }>('/v1/security/alerts');
  const keys = useResource<{ items: ApiKey[] }>('/v1/api-keys');
  const keyName = useMemo(() => new Map((keys.data?.items ?? []).map((k) => [k.id, k.name])), [keys.data]);
  const clearing = useAction();

  async function clear(alert: SecurityAlert, name: string) {
    if (!window.confirm(t('security.clearConfirm', { name }))) return;
    const done = await clearing.run(() =>
      api.post(`/v1/security/alerts/${encodeURIComponent(alert.id)}/clear`, undefined),
    );
    if (done) alerts.reload();
  }

  const items = alerts.data?.items ?? [];
  return (
    <Panel title={t('security.alerts')} hint={t('security.alertsHint')} testId="security-alerts">
      {alerts.error && (
        <ErrorMessage error={alerts.error} onRetry={alerts.reload} forbiddenText={t('security.forbidden')} />
      )}
      {!alerts.data && alerts.loading && <Loading />}
      <ActionError error={clearing.error} />
      {alerts.data && items.length === 0 && (
        <div className="status status-empty" data-testid="security-no-alerts">
          {t('security.noAlerts')}
        </div>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="security-alerts-table">
            <thead>
              <tr>
                <th>{t('security.kind')}</th>
                <th>{t('security.key')}</th>
                <th>{t('security.raisedAt')}</th>
                <th>{t('security.details')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((a) => {
                const name =
                  keyName.get(a.key_id) ?? (typeof a.details.key_name === 'string' ? a.details.key_name : a.key_id);
                return (
                  <tr
                    key={a.id}
                    data-testid="security-alert-row"
                    data-alert-id={a.id}
                    data-kind={a.kind}
                    data-key={a.key_id}
                  >
                    <td>{translateValue(t, 'alertKind', a.kind)}</td>
                    <td>
                      {name} {a.blocking && <span className="badge badge-danger">{t('security.blocking')}</span>}
                    </td>
                    <td className="nowrap">{formatDateTime(a.raised_at, lang)}</td>
                    <td>
                      <AlertDetails alert={a} t={t} lang={lang} />
                    </td>
                    <td className="num">
                      <button
                        type="button"
                        className="btn btn-small"
                        disabled={clearing.busy}
                        onClick={() => clear(a, name)}
                        data-testid="security-clear"
                      >
                        {t('security.clear')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
