import type { Allocation, Fulfilment, OrderDetail } from '../api';
import { formatDateTime } from '../format';
import { useResource } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { can, useMe } from '../me';
import { StatusBadge } from './Badges';
import { ErrorMessage, Loading } from './Status';

interface Step {
  type: string;
  at: string;
  source?: string;
}

/** The steps of one fulfilment, oldest first: the order placed and paid, then its own events. */
function Timeline({ order, fulfilmentId }: { order: OrderDetail; fulfilmentId: string }) {
  const { t, lang } = useI18n();
  const { data, error, loading, reload } = useResource<Fulfilment>(
    `/v1/fulfillments/${encodeURIComponent(fulfilmentId)}`,
  );
  if (error) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data) return loading ? <Loading /> : null;
  const steps: Step[] = [{ type: 'placed', at: order.placed_at }];
  if (order.paid_at) steps.push({ type: 'paid', at: order.paid_at });
  steps.push(...data.events);
  return (
    <ol className="timeline" data-testid={`timeline-${fulfilmentId}`}>
      {steps.map((s, i) => (
        <li
          key={i}
          className={'timeline-step' + (i === steps.length - 1 ? ' current' : '')}
          data-testid="timeline-event"
          data-type={s.type}
        >
          <span className="timeline-dot" aria-hidden="true" />
          <span className="timeline-label">{translateValue(t, 'event', s.type)}</span>
          <time className="muted small" dateTime={s.at}>
            {formatDateTime(s.at, lang)}
          </time>
          {s.source && <span className="muted small timeline-source">{translateValue(t, 'source', s.source)}</span>}
        </li>
      ))}
    </ol>
  );
}

/** Where the order is being fulfilled: one card per allocation, each with its timeline. */
export function Allocations({ order }: { order: OrderDetail }) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const me = useMe();
  if (order.allocations.length === 0) return <p className="muted small">{t('common.empty')}</p>;
  return (
    <div className="allocations">
      {order.allocations.map((a: Allocation) => (
        <div key={a.fulfillment_id} className="allocation" data-testid="allocation" data-fulfilment={a.fulfillment_id}>
          <div className="allocation-head">
            <code className="mono">{a.fulfillment_id}</code>
            <StatusBadge status={a.status} />
          </div>
          <dl className="facts facts-compact">
            <dt>{t('orders.location')}</dt>
            <dd>{locationLabel(byId, a.location_id, lang)}</dd>
            <dt>{t('orders.fulfillment')}</dt>
            <dd>
              {translateValue(t, 'fulfillment', a.type)}
              {a.speed && <> · {translateValue(t, 'speed', a.speed)}</>}
            </dd>
            <dt>{t('fulfilment.eta')}</dt>
            <dd>{formatDateTime(a.eta, lang)}</dd>
            <dt>{t('orders.lines')}</dt>
            <dd>
              <div className="chips">
                {a.lines.map((l) => (
                  <span key={l.sku} className="chip">
                    <span className="mono">{l.sku}</span> × {l.qty}
                  </span>
                ))}
              </div>
            </dd>
          </dl>
          {can(me, 'readFulfilments') && (
            // A new status means new events: load the timeline again.
            <Timeline key={a.status} order={order} fulfilmentId={a.fulfillment_id} />
          )}
        </div>
      ))}
    </div>
  );
}
