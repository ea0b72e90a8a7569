import { useState, type ReactNode } from 'react';
import { TIMELINE_KINDS, type TimelineItem, type TimelineKind } from '../api';
import { formatDateTime, formatFen } from '../format';
import { usePagedList } from '../hooks';
import { translateValue, useI18n, type MessageKey } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { href } from '../router';
import { ChannelBadge, StatusBadge } from './Badges';
import { SkuWithName } from './ProductName';
import { channelColor } from './channels';
import { ErrorMessage, LoadMore, Loading } from './Status';

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The few properties worth a glance, by key; the rest stay in the API. */
function EventFacts({ properties, productName }: { properties: Record<string, unknown>; productName: string | null }) {
  const { lang } = useI18n();
  const { byId } = useLocations();
  const chips: ReactNode[] = [];
  const sku = str(properties.sku);
  if (sku) chips.push(<SkuWithName key="sku" sku={sku} name={productName} />);
  if (typeof properties.qty === 'number') chips.push(<span key="qty">× {properties.qty}</span>);
  const query = str(properties.query);
  if (query) chips.push(<span key="query">“{query}”</span>);
  const path = str(properties.path);
  if (path)
    chips.push(
      <span key="path" className="mono">
        {path}
      </span>,
    );
  const location = str(properties.location_id);
  if (location) chips.push(<span key="loc">{locationLabel(byId, location, lang)}</span>);
  const coupon = str(properties.template_id) ?? str(properties.code);
  if (coupon)
    chips.push(
      <span key="coupon" className="mono">
        {coupon}
      </span>,
    );
  const order = str(properties.order_id);
  if (order)
    chips.push(
      <a key="order" className="mono" href={href('orders', order)}>
        {order}
      </a>,
    );
  if (chips.length === 0) {
    const rest = Object.entries(properties).slice(0, 3);
    for (const [k, v] of rest)
      chips.push(
        <span key={k} className="mono">
          {k}={typeof v === 'object' ? JSON.stringify(v) : String(v)}
        </span>,
      );
  }
  if (chips.length === 0) return null;
  return <span className="tl-facts">{chips}</span>;
}

/** What one moment says, by kind. */
function ItemBody({ item }: { item: TimelineItem }) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const d = item.data;
  switch (item.kind) {
    case 'order': {
      const id = str(d.order_id) ?? '';
      const location = str(d.location_id);
      return (
        <>
          <span className="tl-title">
            {t('timeline.order')}{' '}
            <a className="mono" href={href('orders', id)} data-testid="timeline-order-link">
              {id}
            </a>
          </span>
          <span className="tl-facts">
            <span className="num">{formatFen(Number(d.total))}</span>
            {str(d.status) && <StatusBadge status={String(d.status)} />}
            {location && <span>{locationLabel(byId, location, lang)}</span>}
          </span>
        </>
      );
    }
    case 'event':
      return (
        <>
          <span className="tl-title">{translateValue(t, 'eventType', item.type)}</span>
          {d.properties !== null && typeof d.properties === 'object' && (
            <EventFacts properties={d.properties as Record<string, unknown>} productName={str(d.product_name)} />
          )}
        </>
      );
    case 'merge': {
      const linked = Array.isArray(d.linked_by)
        ? (d.linked_by as string[]).map((x) => translateValue(t, 'identifier', x)).join(t('common.listSep'))
        : '';
      return (
        <>
          <span className="tl-title">
            {t(item.type === 'unmerged' ? 'timeline.unmerged' : 'timeline.merged', {
              from: str(d.from) ?? '',
              into: str(d.into) ?? '',
            })}
          </span>
          {linked && (
            <span className="tl-facts muted">
              {t('profile.linkedBy')}: {linked}
            </span>
          )}
        </>
      );
    }
    case 'consent':
      return (
        <>
          <span className="tl-title">
            {t(d.granted === true ? 'timeline.consentGranted' : 'timeline.consentWithdrawn', {
              purpose: translateValue(t, 'purpose', str(d.purpose) ?? item.type),
            })}
          </span>
          {str(d.source) && <span className="tl-facts mono muted">{String(d.source)}</span>}
        </>
      );
    case 'coupon': {
      const name = str(d.name) ?? str(d.template_id) ?? '';
      const order = str(d.order_ref);
      const location = str(d.location_id);
      return (
        <>
          <span className="tl-title">
            {t(item.type === 'redeemed' ? 'timeline.coupon.redeemed' : 'timeline.coupon.issued', {
              name,
              via: translateValue(t, 'timeline.couponVia', item.type),
            })}
          </span>
          <span className="tl-facts">
            {str(d.code) && <span className="mono">{String(d.code)}</span>}
            {typeof d.amount === 'number' && <span className="num">{formatFen(-d.amount)}</span>}
            {location && <span>{locationLabel(byId, location, lang)}</span>}
            {order && (
              <a className="mono" href={href('orders', order)}>
                {order}
              </a>
            )}
            {d.restored === true && <span className="badge badge-muted">{t('timeline.coupon.restored')}</span>}
          </span>
        </>
      );
    }
    default:
      return <span className="tl-title">{item.type ?? item.kind}</span>;
  }
}

/**
 * One person's history across channels in one stream, newest first: orders, behaviour events,
 * merges and consent changes, each with its channel, filtered by kind, a page at a time.
 */
export function CustomerTimeline({ customerId }: { customerId: string }) {
  const { t, lang } = useI18n();
  const [kinds, setKinds] = useState<TimelineKind[]>([]);
  const types = kinds.length === 0 || kinds.length === TIMELINE_KINDS.length ? '' : kinds.join(',');
  const list = usePagedList<TimelineItem>(`/v1/customers/${encodeURIComponent(customerId)}/timeline`, { types }, 25);

  const toggle = (k: TimelineKind) =>
    setKinds((prev) =>
      prev.includes(k) ? prev.filter((x) => x !== k) : TIMELINE_KINDS.filter((x) => x === k || prev.includes(x)),
    );

  return (
    <div data-testid="customer-timeline">
      <div className="filter-chips" role="group" aria-label={t('timeline.filter')}>
        <button
          type="button"
          className={'filter-chip' + (kinds.length === 0 ? ' on' : '')}
          aria-pressed={kinds.length === 0}
          onClick={() => setKinds([])}
          data-testid="timeline-filter-all"
        >
          {t('common.all')}
        </button>
        {TIMELINE_KINDS.map((k) => (
          <button
            key={k}
            type="button"
            className={'filter-chip' + (kinds.includes(k) ? ' on' : '')}
            aria-pressed={kinds.includes(k)}
            onClick={() => toggle(k)}
            data-testid={`timeline-filter-${k}`}
          >
            <span className={`kind-dot kind-${k}`} aria-hidden="true" />
            {t(`timeline.kinds.${k}` as MessageKey)}
          </button>
        ))}
      </div>
      {list.error && <ErrorMessage error={list.error} onRetry={list.items.length ? list.loadMore : list.reload} />}
      {list.items.length === 0 && list.loading && <Loading />}
      {list.items.length === 0 && !list.loading && !list.error && (
        <div className="status status-empty">{t('timeline.empty')}</div>
      )}
      {list.items.length > 0 && (
        <ol className="stream">
          {list.items.map((item, i) => (
            <li
              key={`${item.kind}-${item.at}-${i}`}
              className={`stream-item kind-${item.kind}`}
              data-testid="timeline-item"
              data-kind={item.kind}
              data-channel={item.channel ?? ''}
              data-type={item.type ?? ''}
            >
              <span
                className="stream-marker"
                style={item.channel ? { background: channelColor(item.channel) } : undefined}
                aria-hidden="true"
              />
              <div className="stream-head">
                <span className={`kind-label kind-${item.kind}`}>{t(`timeline.kind.${item.kind}` as MessageKey)}</span>
                {item.channel ? (
                  <span className="stream-channel" data-testid="timeline-channel">
                    <ChannelBadge channel={item.channel} />
                  </span>
                ) : null}
                <time className="muted small" dateTime={item.at}>
                  {formatDateTime(item.at, lang)}
                </time>
              </div>
              <div className="stream-body">
                <ItemBody item={item} />
              </div>
            </li>
          ))}
        </ol>
      )}
      <LoadMore count={list.items.length} hasMore={list.hasMore} loading={list.loading} onMore={list.loadMore} />
    </div>
  );
}
