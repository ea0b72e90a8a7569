import { useEffect, useState } from 'react';
import type { Answer } from '../../contract';
import { formatDateTime } from '../../format';
import { usePagedList } from '../../hooks';
import { translateValue, useI18n } from '../../i18n';
import { href } from '../../router';
import { ErrorMessage, LoadMore } from '../Status';

type Message = Answer<'/v1/messages'>['items'][number];
const STATUSES = ['queued', 'sent', 'delivered', 'failed', 'suppressed'] as const;

/**
 * The messages a journey queued (GET /v1/messages?journey_id=), newest first, by state. `version`
 * (the report's message counts) changing loads the list again.
 */
export function MessageLog({ journey, version }: { journey: string; version: string }) {
  const { t, lang } = useI18n();
  const [status, setStatus] = useState('');
  const list = usePagedList<Message>('/v1/messages', { journey_id: journey, ...(status ? { status } : {}) }, 20);
  const { reload } = list;
  useEffect(reload, [version, reload]);
  return (
    <div data-testid="journey-message-log">
      <div className="filters">
        <label className="field-inline">
          {t('journeys.log.status')}
          <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="journey-message-status">
            <option value="">{t('journeys.log.all')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`journeys.log.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {list.error && <ErrorMessage error={list.error} />}
      <div className="table-wrap">
        <table className="table table-compact">
          <thead>
            <tr>
              <th>{t('journeys.log.at')}</th>
              <th>{t('journeys.log.customer')}</th>
              <th>{t('journeys.message.channel')}</th>
              <th>{t('journeys.log.to')}</th>
              <th>{t('journeys.message.text')}</th>
              <th>{t('journeys.log.status')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((m) => (
              <tr key={m.id} data-testid="journey-message" data-status={m.status}>
                <td className="small">{formatDateTime(m.created_at, lang)}</td>
                <td>
                  <a className="mono small" href={href('customers', m.customer_id)}>
                    {m.customer_id}
                  </a>
                </td>
                <td>{t(`journeys.channel.${m.channel}`)}</td>
                <td className="mono small">{m.to ?? '—'}</td>
                <td className="small">{m.text}</td>
                <td>
                  {t(`journeys.log.status.${m.status}`)}
                  {m.reason && <span className="muted small"> · {translateValue(t, 'journeys.reason', m.reason)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <LoadMore count={list.items.length} hasMore={list.hasMore} loading={list.loading} onMore={list.loadMore} />
    </div>
  );
}
