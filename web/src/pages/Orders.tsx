import { useState } from 'react';
import { CHANNELS, type Order } from '../api';
import { ChannelBadge, StatusBadge } from '../components/Badges';
import { PageHeader, Panel } from '../components/PageHeader';
import { Empty, ErrorMessage, LoadMore, Loading } from '../components/Status';
import { formatDateTime, formatFen } from '../format';
import { usePagedList, useResource } from '../hooks';
import { translateValue, useI18n, type MessageKey } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { href, navigate } from '../router';

const STATUSES = ['pending_payment', 'paid', 'in_fulfilment', 'ready_for_pickup', 'shipped', 'delivered', 'collected', 'completed', 'fulfilment_failed', 'cancelled', 'expired'];

function OrderDetail({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const { data: o, error, loading, reload } = useResource<Order>(`/v1/orders/${encodeURIComponent(id)}`);

  const close = (
    <a className="btn btn-small" href={href('orders')}>
      {t('common.close')}
    </a>
  );
  return (
    <Panel title={t('orders.detail')} actions={close} className="detail" testId="order-detail">
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!o && loading && <Loading />}
      {o && (
        <>
          <div className="detail-head">
            <code className="mono" data-testid="order-detail-id">{o.id}</code>
            <StatusBadge status={o.status} />
          </div>
          <dl className="facts">
            <dt>{t('orders.channel')}</dt>
            <dd><ChannelBadge channel={o.channel} /></dd>
            <dt>{t('orders.fulfillment')}</dt>
            <dd>{translateValue(t, 'fulfillment', o.fulfillment_type)}</dd>
            <dt>{t('orders.location')}</dt>
            <dd>{locationLabel(byId, o.location_id, lang)}</dd>
            <dt>{t('orders.customer')}</dt>
            <dd className="mono">{o.customer_id ?? t('orders.guest')}</dd>
            <dt>{t('orders.placedAt')}</dt>
            <dd>{formatDateTime(o.placed_at, lang)}</dd>
            <dt>{t('orders.paidAt')}</dt>
            <dd>{formatDateTime(o.paid_at, lang)}</dd>
          </dl>
          <h3>{t('orders.lines')}</h3>
          <div className="table-wrap">
            <table className="table table-compact" data-testid="order-lines">
              <thead>
                <tr>
                  <th>{t('orders.lineNo')}</th>
                  <th>{t('orders.sku')}</th>
                  <th className="num">{t('orders.qty')}</th>
                  <th className="num">{t('orders.unitPrice')}</th>
                  <th className="num">{t('orders.discount')}</th>
                  <th className="num">{t('orders.amount')}</th>
                </tr>
              </thead>
              <tbody>
                {(o.lines ?? []).map((l) => (
                  <tr key={l.line_no} data-testid="order-line">
                    <td>{l.line_no}</td>
                    <td><a className="mono" href={href('inventory', l.sku)}>{l.sku}</a></td>
                    <td className="num">{l.qty}</td>
                    <td className="num">{formatFen(l.unit_price)}</td>
                    <td className="num">{l.discount ? '-' + formatFen(l.discount) : '—'}</td>
                    <td className="num">{formatFen(l.amount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <dl className="totals">
            <dt>{t('orders.subtotal')}</dt>
            <dd>{formatFen(o.totals.subtotal)}</dd>
            {o.totals.discount > 0 && (
              <>
                <dt>{t('orders.discount')}</dt>
                <dd>-{formatFen(o.totals.discount)}</dd>
              </>
            )}
            <dt>{t('orders.deliveryFee')}</dt>
            <dd>{formatFen(o.totals.delivery_fee)}</dd>
            <dt className="grand">{t('orders.total')}</dt>
            <dd className="grand" data-testid="order-detail-total">{formatFen(o.totals.total)}</dd>
          </dl>
        </>
      )}
    </Panel>
  );
}

export function Orders({ selected }: { selected: string | null }) {
  const { t, lang } = useI18n();
  const { list: locations, byId } = useLocations();
  const [channel, setChannel] = useState('');
  const [status, setStatus] = useState('');
  const [location, setLocation] = useState('');
  const orders = usePagedList<Order>('/v1/orders', { channel, status, location_id: location });

  return (
    <>
      <PageHeader title={t('orders.title')} subtitle={t('orders.subtitle')} />
      <div className="filters">
        <label className="field-inline">
          <span>{t('orders.channel')}</span>
          <select value={channel} onChange={(e) => setChannel(e.target.value)} data-testid="filter-channel">
            <option value="">{t('common.all')}</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>{t(`channel.${c}` as MessageKey)}</option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span>{t('orders.status')}</span>
          <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="filter-status">
            <option value="">{t('common.all')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>{translateValue(t, 'status', s)}</option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span>{t('orders.location')}</span>
          <select value={location} onChange={(e) => setLocation(e.target.value)} data-testid="filter-location">
            <option value="">{t('common.all')}</option>
            {locations.map((l) => (
              <option key={l.id} value={l.id}>{locationLabel(byId, l.id, lang)}</option>
            ))}
          </select>
        </label>
        {!selected && <span className="muted small filters-hint">{t('orders.selectHint')}</span>}
      </div>

      <div className={'master-detail' + (selected ? ' has-detail' : '')}>
        <Panel className="master">
          {orders.error && <ErrorMessage error={orders.error} onRetry={orders.items.length ? orders.loadMore : orders.reload} />}
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
                    <th className="optional">{t('orders.location')}</th>
                    <th className="optional">{t('orders.fulfillment')}</th>
                    <th>{t('orders.status')}</th>
                    <th className="num">{t('orders.total')}</th>
                  </tr>
                </thead>
                <tbody>
                  {orders.items.map((o) => (
                    <tr key={o.id} className={o.id === selected ? 'selected' : ''} onClick={() => navigate('orders', o.id)} data-testid="order-row">
                      <td className="nowrap">{formatDateTime(o.placed_at, lang)}</td>
                      <td><a className="mono" href={href('orders', o.id)} onClick={(e) => e.stopPropagation()}>{o.id}</a></td>
                      <td><ChannelBadge channel={o.channel} /></td>
                      <td className="optional nowrap">{locationLabel(byId, o.location_id, lang)}</td>
                      <td className="optional nowrap">{translateValue(t, 'fulfillment', o.fulfillment_type)}</td>
                      <td><StatusBadge status={o.status} /></td>
                      <td className="num">{formatFen(o.totals.total)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <LoadMore count={orders.items.length} hasMore={orders.hasMore} loading={orders.loading} onMore={orders.loadMore} />
        </Panel>
        {selected && <OrderDetail key={selected} id={selected} />}
      </div>
    </>
  );
}
