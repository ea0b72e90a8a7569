import { useState } from 'react';
import { CHANNELS, withQuery, type Order } from '../api';
import { ChannelBadge, StatusBadge } from '../components/Badges';
import { CsvButton } from '../components/CsvButton';
import { PageHeader, Panel } from '../components/PageHeader';
import { Empty, ErrorMessage, LoadMore, Loading } from '../components/Status';
import { formatDateTime, formatFen } from '../format';
import { usePagedList } from '../hooks';
import { translateValue, useI18n, type MessageKey } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { can, useMe } from '../me';
import { href, navigate } from '../router';
import { OrderDetail } from './OrderDetail';

const STATUSES = [
  'pending_payment',
  'paid',
  'in_fulfilment',
  'ready_for_pickup',
  'shipped',
  'completed',
  'fulfilment_failed',
  'cancelled',
  'expired',
];

/** What the API takes as an order id or its start; other text is not sent. */
const ORDER_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

/** The order's customer: their name as the role may see it, linking to the profile; walk-in without one. */
function CustomerCell({ order }: { order: Order }) {
  const { t } = useI18n();
  const me = useMe();
  if (!order.customer_id) return <span className="muted">{t('lists.walkIn')}</span>;
  // Roles that may search by contact data are those shown names (masked or not).
  const fallback = can(me, 'searchContacts') ? t('lists.noName') : t('lists.hiddenName');
  return (
    <a href={href('customers', order.customer_id)} onClick={(e) => e.stopPropagation()}>
      {order.customer_name ?? fallback}
    </a>
  );
}

export function Orders({ selected }: { selected: string | null }) {
  const { t, lang } = useI18n();
  const { list: locations, byId } = useLocations();
  const [channel, setChannel] = useState('');
  const [status, setStatus] = useState('');
  const [location, setLocation] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [idText, setIdText] = useState('');
  const q = ORDER_ID.test(idText.trim()) ? idText.trim() : '';
  const query = { channel, status, location_id: location, from, to, q };
  const orders = usePagedList<Order>('/v1/orders', query);

  return (
    <>
      <PageHeader title={t('orders.title')} subtitle={t('orders.subtitle')} />
      <div className="filters">
        <label className="field-inline">
          <span>{t('orders.channel')}</span>
          <select value={channel} onChange={(e) => setChannel(e.target.value)} data-testid="filter-channel">
            <option value="">{t('common.all')}</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(`channel.${c}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span>{t('orders.status')}</span>
          <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="filter-status">
            <option value="">{t('common.all')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {translateValue(t, 'status', s)}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span>{t('orders.location')}</span>
          <select value={location} onChange={(e) => setLocation(e.target.value)} data-testid="filter-location">
            <option value="">{t('common.all')}</option>
            {locations.map((l) => (
              <option key={l.id} value={l.id}>
                {locationLabel(byId, l.id, lang)}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span>{t('lists.from')}</span>
          <input
            type="date"
            value={from}
            max={to || undefined}
            onChange={(e) => setFrom(e.target.value)}
            data-testid="filter-from"
          />
        </label>
        <label className="field-inline">
          <span>{t('lists.to')}</span>
          <input
            type="date"
            value={to}
            min={from || undefined}
            onChange={(e) => setTo(e.target.value)}
            data-testid="filter-to"
          />
        </label>
        <label className="field-inline">
          <span>{t('lists.orderId')}</span>
          <input
            type="search"
            value={idText}
            maxLength={100}
            placeholder={t('lists.orderIdPlaceholder')}
            onChange={(e) => setIdText(e.target.value)}
            data-testid="filter-order-id"
          />
        </label>
        <CsvButton path={withQuery('/v1/orders', query)} filename="orders.csv" testId="orders-export" />
        {!selected && <span className="muted small filters-hint">{t('orders.selectHint')}</span>}
      </div>

      <div className={'master-detail detail-wide' + (selected ? ' has-detail' : '')}>
        <Panel className="master">
          {orders.error && (
            <ErrorMessage error={orders.error} onRetry={orders.items.length ? orders.loadMore : orders.reload} />
          )}
          {orders.items.length === 0 && orders.loading && <Loading />}
          {orders.items.length === 0 && !orders.loading && !orders.error && <Empty />}
          {orders.items.length > 0 && (
            <div className="table-wrap">
              <table className="table table-hover" data-testid="orders-table">
                <thead>
                  <tr>
                    <th>{t('orders.placedAt')}</th>
                    <th>{t('orders.id')}</th>
                    <th>{t('orders.channel')}</th>
                    <th>{t('lists.customer')}</th>
                    <th className="optional">{t('orders.location')}</th>
                    <th className="optional">{t('orders.fulfillment')}</th>
                    <th>{t('orders.status')}</th>
                    <th className="num">{t('orders.total')}</th>
                  </tr>
                </thead>
                <tbody>
                  {orders.items.map((o) => (
                    <tr
                      key={o.id}
                      className={o.id === selected ? 'selected' : ''}
                      onClick={() => navigate('orders', o.id)}
                      data-testid="order-row"
                    >
                      <td className="nowrap">{formatDateTime(o.placed_at, lang)}</td>
                      <td>
                        <a className="mono" href={href('orders', o.id)} onClick={(e) => e.stopPropagation()}>
                          {o.id}
                        </a>
                      </td>
                      <td>
                        <ChannelBadge channel={o.channel} />
                      </td>
                      <td className="nowrap" data-testid="order-customer">
                        <CustomerCell order={o} />
                      </td>
                      <td className="optional nowrap">{locationLabel(byId, o.location_id, lang)}</td>
                      <td className="optional nowrap">{translateValue(t, 'fulfillment', o.fulfillment_type)}</td>
                      <td>
                        <StatusBadge status={o.status} />
                      </td>
                      <td className="num">{formatFen(o.totals.total)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <LoadMore
            count={orders.items.length}
            hasMore={orders.hasMore}
            loading={orders.loading}
            onMore={orders.loadMore}
          />
        </Panel>
        {selected && <OrderDetail key={selected} id={selected} />}
      </div>
    </>
  );
}
