import { useEffect, useMemo, useState } from 'react';
import type { ApiKey, AuditEntry } from '../api';
import { DetailChips } from '../components/DetailChips';
import { PageHeader, Panel } from '../components/PageHeader';
import { Empty, ErrorMessage, LoadMore, Loading } from '../components/Status';
import { formatDateTime } from '../format';
import { usePagedList, useResource } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { href } from '../router';

/** The actions the API writes to the log, offered as suggestions (any other text still filters). */
const ACTIONS = [
  'customer.',
  'customer.view',
  'customer.search',
  'customer.lookup',
  'customer.timeline',
  'customer.reveal',
  'customer.merge',
  'customer.unmerge',
  'customer.consent',
  'customer.erase',
  'customer.link_withheld',
  'api_key.',
  'api_key.create',
  'api_key.revoke',
  'security.',
  'security.bulk_access',
  'security.pickup_code_guessing',
  'security.alert_cleared',
  'security.settings',
  'trait.declare',
  'location.',
  'location.created',
  'location.updated',
  'location.closed',
];

/** A text filter applied once typing pauses. */
function useDebounced(value: string, ms = 300): string {
  const [v, setV] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setV(value.trim()), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}

/** The audit log (admins): who read or changed personal data and keys, when and why; newest first. */
export function Audit({ subject: initialSubject }: { subject: string | null }) {
  const { t, lang } = useI18n();
  const [action, setAction] = useState('');
  const [subject, setSubject] = useState(initialSubject ?? '');
  const [actor, setActor] = useState('');
  const query = { action: useDebounced(action), subject: useDebounced(subject), actor };
  const log = usePagedList<AuditEntry>('/v1/audit', query);
  // Key names for the actor column and filter (the same admins may list keys).
  const keys = useResource<{ items: ApiKey[] }>('/v1/api-keys');
  const keyName = useMemo(() => new Map((keys.data?.items ?? []).map((k) => [k.id, k.name])), [keys.data]);

  return (
    <>
      <PageHeader title={t('audit.title')} subtitle={t('audit.subtitle')} />
      <div className="filters">
        <label className="field-inline">
          <span>{t('audit.action')}</span>
          <input
            value={action}
            list="audit-actions"
            maxLength={200}
            placeholder="customer."
            onChange={(e) => setAction(e.target.value)}
            data-testid="audit-action"
          />
          <datalist id="audit-actions">
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {translateValue(t, 'auditAction', a)}
              </option>
            ))}
          </datalist>
        </label>
        <label className="field-inline">
          <span>{t('audit.subject')}</span>
          <input
            value={subject}
            maxLength={200}
            placeholder="cus_…"
            onChange={(e) => setSubject(e.target.value)}
            className="mono audit-subject"
            data-testid="audit-subject"
          />
        </label>
        <label className="field-inline">
          <span>{t('audit.actor')}</span>
          <select value={actor} onChange={(e) => setActor(e.target.value)} data-testid="audit-actor">
            <option value="">{t('common.all')}</option>
            {(keys.data?.items ?? []).map((k) => (
              <option key={k.id} value={k.id}>
                {k.name}
              </option>
            ))}
          </select>
        </label>
        <span className="muted small filters-hint">{t('audit.actionHint')}</span>
      </div>
      <Panel>
        {log.error && (
          <ErrorMessage
            error={log.error}
            onRetry={log.items.length ? log.loadMore : log.reload}
            forbiddenText={t('audit.forbidden')}
          />
        )}
        {log.items.length === 0 && log.loading && <Loading />}
        {log.items.length === 0 && !log.loading && !log.error && <Empty />}
        {log.items.length > 0 && (
          <div className="table-wrap">
            <table className="table table-compact" data-testid="audit-table">
              <thead>
                <tr>
                  <th>{t('audit.at')}</th>
                  <th>{t('audit.actor')}</th>
                  <th>{t('audit.action')}</th>
                  <th>{t('audit.subject')}</th>
                  <th>{t('audit.reason')}</th>
                  <th>{t('audit.details')}</th>
                </tr>
              </thead>
              <tbody>
                {log.items.map((e) => (
                  <tr key={e.id} data-testid="audit-row" data-action={e.action} data-subject={e.subject ?? ''}>
                    <td className="nowrap">{formatDateTime(e.at, lang)}</td>
                    <td>
                      <div className="stack">
                        <span>
                          {e.actor_key
                            ? (keyName.get(e.actor_key) ?? <span className="mono">{e.actor_key}</span>)
                            : t('audit.system')}
                        </span>
                        <span className="muted small">{translateValue(t, 'role', e.actor_role)}</span>
                      </div>
                    </td>
                    <td>
                      <span title={e.action}>{translateValue(t, 'auditAction', e.action)}</span>
                    </td>
                    <td>
                      {e.subject?.startsWith('cus_') ? (
                        <a className="mono" href={href('customers', e.subject)}>
                          {e.subject}
                        </a>
                      ) : (
                        <span className="mono">{e.subject ?? '—'}</span>
                      )}
                    </td>
                    <td data-testid="audit-reason">{e.reason ?? <span className="muted">—</span>}</td>
                    <td>
                      <DetailChips details={e.details} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore count={log.items.length} hasMore={log.hasMore} loading={log.loading} onMore={log.loadMore} />
      </Panel>
    </>
  );
}
