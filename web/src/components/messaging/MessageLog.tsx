import { useState } from 'react';
import { usePagedList, useResource } from '../../hooks';
import type { Journey } from '../../journeys';
import { href } from '../../router';
import { translateValue, useI18n, type MessageKey } from '../../i18n';
import { formatDateTime } from '../../format';
import { MESSAGE_STATUSES, MESSAGE_TONE, type MessageRow } from '../../messaging';
import { Panel } from '../PageHeader';
import { Empty, ErrorMessage, LoadMore, Loading } from '../Status';

/** 消息记录: the marketing message log with filters (journey, customer, status) and status badges. */
export function MessageLog() {
  const { t, lang } = useI18n();
  const [journey, setJourney] = useState('');
  const [customer, setCustomer] = useState('');
  const [status, setStatus] = useState('');
  const list = usePagedList<MessageRow>('/v1/messages', {
    journey_id: journey.trim() || undefined,
    customer_id: customer.trim() || undefined,
    status: status || undefined,
  });
  // Journeys by id, to name the journey a message came from (its step id is what the marketer typed).
  const journeys = useResource<{ items: Journey[] }>('/v1/journeys');
  const journeyName = new Map((journeys.data?.items ?? []).map((j) => [j.id, j.name]));

  return (
    <Panel title={t('msg.log')} hint={t('msg.logHint')} testId="message-log">
      <div className="filters">
        <label className="field-inline">
          <span>{t('msg.filterJourney')}</span>
          <input value={journey} onChange={(e) => setJourney(e.target.value)} data-testid="msg-filter-journey" />
        </label>
        <label className="field-inline">
          <span>{t('msg.filterCustomer')}</span>
          <input value={customer} onChange={(e) => setCustomer(e.target.value)} data-testid="msg-filter-customer" />
        </label>
        <label className="field-inline">
          <span>{t('msg.filterStatus')}</span>
          <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="msg-filter-status">
            <option value="">{t('common.all')}</option>
            {MESSAGE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`msg.status.${s}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {list.error && <ErrorMessage error={list.error} onRetry={list.items.length ? list.loadMore : list.reload} />}
      {list.items.length === 0 && list.loading && <Loading />}
      {list.items.length === 0 && !list.loading && !list.error && <Empty />}
      {list.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="messages-table">
            <thead>
              <tr>
                <th>{t('msg.createdAt')}</th>
                <th>{t('msg.channel')}</th>
                <th>{t('msg.to')}</th>
                <th>{t('msg.text')}</th>
                <th className="optional">{t('msg.journey')}</th>
                <th>{t('msg.statusCol')}</th>
                <th className="num optional">{t('msg.attempts')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((m) => (
                <tr key={m.id} data-testid={`message-${m.id}`}>
                  <td className="nowrap">{formatDateTime(m.created_at, lang)}</td>
                  <td className="nowrap">{t(`msg.channel.${m.channel}` as MessageKey)}</td>
                  <td className="mono nowrap">{m.to ?? t('common.none')}</td>
                  <td>{m.text}</td>
                  <td className="optional small">
                    {m.journey_id ? (
                      <a href={href('marketing', 'journeys', m.journey_id)}>
                        {journeyName.get(m.journey_id) ?? m.journey_id}
                      </a>
                    ) : (
                      t('common.none')
                    )}
                    {m.step_id && <span translate="no"> / {m.step_id}</span>}
                  </td>
                  <td>
                    <span className={`badge badge-${MESSAGE_TONE[m.status]}`} data-testid="message-status">
                      {t(`msg.status.${m.status}` as MessageKey)}
                    </span>
                    <MessageDetail m={m} />
                  </td>
                  <td className="num optional">{m.attempts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore count={list.items.length} hasMore={list.hasMore} loading={list.loading} onMore={list.loadMore} />
    </Panel>
  );
}

/** Why it was not sent, when it waits for quiet hours to end, or when it is retried. */
function MessageDetail({ m }: { m: MessageRow }) {
  const { t, lang } = useI18n();
  let text: string | null = null;
  if (m.reason) text = translateValue(t, 'msg.reason', m.reason);
  else if (m.status === 'queued' && Date.parse(m.send_after) > Date.now())
    text = t('msg.sendAfter', { at: formatDateTime(m.send_after, lang) });
  else if (m.status === 'sent' && m.next_attempt_at)
    text = t('msg.retryAt', { at: formatDateTime(m.next_attempt_at, lang) });
  return text ? <div className="muted small">{text}</div> : null;
}
