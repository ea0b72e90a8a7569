import { useState } from 'react';
import type { OrderDetail as Detail } from '../api';
import { ChannelBadge, StatusBadge } from '../components/Badges';
import { Allocations } from '../components/FulfilmentTimeline';
import { Adjustments } from '../components/loyalty/QuoteView';
import { OrderActions } from '../components/OrderActions';
import { Panel } from '../components/PageHeader';
import { ReturnsList } from '../components/ReturnForm';
import { SkuWithName } from '../components/ProductName';
import { RoutingExplanation } from '../components/RoutingExplanation';
import { ErrorMessage, Loading } from '../components/Status';
import { ReprintReceipt } from '../components/till/ReprintReceipt';
import { formatDateTime, formatFen } from '../format';
import { useResource } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { useMe } from '../me';
import { href } from '../router';

function Lines({ order: o }: { order: Detail }) {
  const { t } = useI18n();
  const anyReturned = o.lines.some((l) => l.returned_qty > 0);
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="order-lines">
        <thead>
          <tr>
            <th>{t('orders.lineNo')}</th>
            <th>{t('orders.sku')}</th>
            <th className="num">{t('orders.qty')}</th>
            {anyReturned && <th className="num">{t('returns.returned')}</th>}
            <th className="num">{t('orders.unitPrice')}</th>
            <th className="num">{t('orders.discount')}</th>
            <th className="num">{t('orders.amount')}</th>
          </tr>
        </thead>
        <tbody>
          {o.lines.map((l) => (
            <tr key={l.line_no} data-testid="order-line">
              <td>{l.line_no}</td>
              <td>
                <SkuWithName sku={l.sku} name={l.product_name} />
              </td>
              <td className="num">{l.qty}</td>
              {anyReturned && <td className="num">{l.returned_qty || t('common.none')}</td>}
              <td className="num">{formatFen(l.unit_price)}</td>
              <td className="num">{l.discount ? '-' + formatFen(l.discount) : '—'}</td>
              <td className="num">{formatFen(l.amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Totals({ totals }: { totals: Detail['totals'] }) {
  const { t } = useI18n();
  return (
    <dl className="totals">
      <dt>{t('orders.subtotal')}</dt>
      <dd>{formatFen(totals.subtotal)}</dd>
      {totals.discount > 0 && !totals.points_discount && !totals.coupon_discount && (
        <>
          <dt>{t('orders.discount')}</dt>
          <dd>-{formatFen(totals.discount)}</dd>
        </>
      )}
      {!!totals.coupon_discount && (
        <>
          <dt>{t('orders.couponDiscount')}</dt>
          <dd data-testid="order-detail-coupons">-{formatFen(totals.coupon_discount)}</dd>
        </>
      )}
      {!!totals.points_discount && (
        <>
          <dt>{t('orders.pointsDiscount', { points: totals.points_used ?? 0 })}</dt>
          <dd data-testid="order-detail-points">-{formatFen(totals.points_discount)}</dd>
        </>
      )}
      <dt>{t('orders.deliveryFee')}</dt>
      <dd>{formatFen(totals.delivery_fee)}</dd>
      <dt className="grand">{t('orders.total')}</dt>
      <dd className="grand" data-testid="order-detail-total">
        {formatFen(totals.total)}
      </dd>
      {totals.refunded > 0 && (
        <>
          <dt className="refund">{t('orders.refunded')}</dt>
          <dd className="refund" data-testid="order-detail-refunded">
            -{formatFen(totals.refunded)}
          </dd>
          <dt>{t('orders.net')}</dt>
          <dd>{formatFen(totals.total - totals.refunded)}</dd>
        </>
      )}
    </dl>
  );
}

/** One order: facts, actions, lines and totals, the routing explanation, allocations with timelines, returns. */
export function OrderDetail({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const me = useMe();
  const { data: o, error, loading, reload } = useResource<Detail>(`/v1/orders/${encodeURIComponent(id)}`);
  // Bumped after every action, so that the returns are asked for again.
  const [version, setVersion] = useState(0);
  const changed = () => {
    setVersion((v) => v + 1);
    reload();
  };

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
            <code className="mono" data-testid="order-detail-id">
              {o.id}
            </code>
            <span data-testid="order-detail-status" data-status={o.status}>
              <StatusBadge status={o.status} />
            </span>
          </div>
          <dl className="facts">
            <dt>{t('orders.channel')}</dt>
            <dd>
              <ChannelBadge channel={o.channel} />
            </dd>
            <dt>{t('orders.fulfillment')}</dt>
            <dd>
              {translateValue(t, 'fulfillment', o.fulfillment_type)}
              {o.speed && <> · {translateValue(t, 'speed', o.speed)}</>}
            </dd>
            <dt>{t('orders.location')}</dt>
            <dd>{locationLabel(byId, o.location_id, lang)}</dd>
            <dt>{t('orders.customer')}</dt>
            <dd>
              {o.customer_id ? (
                <a className="mono" href={href('customers', o.customer_id)} data-testid="order-detail-customer">
                  {o.customer_id}
                </a>
              ) : (
                t('orders.guest')
              )}
            </dd>
            <dt>{t('orders.placedAt')}</dt>
            <dd>{formatDateTime(o.placed_at, lang)}</dd>
            <dt>{t('orders.paidAt')}</dt>
            <dd>
              {formatDateTime(o.paid_at, lang)}
              {o.payment_ref && <span className="mono muted small"> · {o.payment_ref}</span>}
            </dd>
            {o.payment_method && (
              <>
                <dt>{t('tillPay.method')}</dt>
                <dd data-testid="order-payment-method" data-method={o.payment_method}>
                  {translateValue(t, 'paymentMethod', o.payment_method)}
                </dd>
              </>
            )}
            {o.reserved_until && (
              <>
                <dt>{t('orders.reservedUntil')}</dt>
                <dd>{formatDateTime(o.reserved_until, lang)}</dd>
              </>
            )}
            {/* The counter checks the customer's code: store staff are not shown it. */}
            {o.pickup_code && me && me.role !== 'store_staff' && (
              <>
                <dt>{t('orders.pickupCode')}</dt>
                <dd>
                  <code className="pickup-code" data-testid="order-pickup-code">
                    {o.pickup_code}
                  </code>
                </dd>
              </>
            )}
            {o.note && (
              <>
                <dt>{t('orders.note')}</dt>
                <dd>{o.note}</dd>
              </>
            )}
          </dl>
          <OrderActions key={o.status} order={o} onChanged={changed} />

          <h3>{t('orders.lines')}</h3>
          <Lines order={o} />
          <Totals totals={o.totals} />
          {o.fulfillment_type === 'in_store' && (
            <ReprintReceipt order={o} storeName={locationLabel(byId, o.location_id, lang)} />
          )}
          {o.pricing && o.pricing.adjustments.length > 0 && (
            <>
              <h3>{t('orders.pricing')}</h3>
              <Adjustments adjustments={o.pricing.adjustments} coupons={[]} />
            </>
          )}

          <h3>{t('routing.title')}</h3>
          <RoutingExplanation routing={o.routing} />

          <h3>{t('orders.allocations')}</h3>
          <Allocations order={o} />

          <h3>{t('returns.title')}</h3>
          <ReturnsList key={version} orderId={o.id} />
        </>
      )}
    </Panel>
  );
}
