import type { OrderDetail } from '../../api';
import { formatDateTime, formatFen, formatInt, localName } from '../../format';
import { translateValue, useI18n } from '../../i18n';
import { ProductName } from '../ProductName';
import { RECEIPT_PRINT_CSS } from './receipt-print';
import './till.css';

interface Props {
  order: OrderDetail;
  storeName: string;
  /** Product names by SKU where the caller has them (the till's basket); others are looked up. */
  names?: ReadonlyMap<string, string>;
}

/**
 * The receipt of a sale as printed on 80 mm roll paper: store, time, order number, every line with
 * its product name and discount, coupons and points, what was paid and how. 打印小票 prints it alone.
 */
export function PrintableReceipt({ order, storeName, names }: Props) {
  const { t, lang } = useI18n();
  const tot = order.totals;
  return (
    <div className="receipt-wrap" data-testid="receipt">
      <style>{RECEIPT_PRINT_CSS}</style>
      <div className="receipt-paper" data-testid="receipt-paper">
        <div className="receipt-store" data-testid="receipt-store">
          {storeName}
        </div>
        <div className="receipt-title">{t('receipt.title')}</div>
        <div className="receipt-meta">
          <span>{t('receipt.time')}</span>
          <span>{formatDateTime(order.paid_at ?? order.placed_at, lang)}</span>
        </div>
        <div className="receipt-meta">
          <span>{t('receipt.order')}</span>
          <span className="mono">{order.id}</span>
        </div>
        <div className="receipt-rule" />
        <div className="receipt-row receipt-head">
          <span>{t('receipt.item')}</span>
          <span>{t('receipt.qty')}</span>
          <span>{t('receipt.amount')}</span>
        </div>
        {order.lines.map((l) => (
          <div key={l.line_no} className="receipt-line" data-testid="receipt-line" data-sku={l.sku}>
            <div className="receipt-name">
              {names?.get(l.sku) ? localName(names.get(l.sku)!, lang) : <ProductName sku={l.sku} />}
            </div>
            <div className="receipt-row">
              <span className="muted">
                {formatFen(l.unit_price)} · {l.sku}
              </span>
              <span>×{l.qty}</span>
              <span>{formatFen(l.amount)}</span>
            </div>
            {l.discount > 0 && (
              <div className="receipt-row receipt-discount">
                <span>{t('receipt.lineDiscount', { amount: formatFen(-l.discount) })}</span>
              </div>
            )}
          </div>
        ))}
        <div className="receipt-rule" />
        <div className="receipt-meta">
          <span>{t('receipt.subtotal')}</span>
          <span>{formatFen(tot.subtotal)}</span>
        </div>
        {tot.coupon_discount > 0 && (
          <div className="receipt-meta" data-testid="receipt-coupons">
            <span>
              {t('receipt.coupons')}
              {order.pricing.coupons.length > 0 &&
                ` (${order.pricing.coupons.map((c) => c.name ?? c.code).join(', ')})`}
            </span>
            <span>{formatFen(-tot.coupon_discount)}</span>
          </div>
        )}
        {tot.points_used > 0 && (
          <div className="receipt-meta" data-testid="receipt-points">
            <span>{t('receipt.points', { points: formatInt(tot.points_used) })}</span>
            <span>{formatFen(-tot.points_discount)}</span>
          </div>
        )}
        <div className="receipt-meta receipt-total">
          <span>{t('receipt.total')}</span>
          <span data-testid="receipt-total">{formatFen(tot.total)}</span>
        </div>
        <div className="receipt-meta" data-testid="receipt-payment">
          <span>{t('receipt.payment')}</span>
          <span>{translateValue(t, 'paymentMethod', order.payment_method)}</span>
        </div>
        <div className="receipt-rule" />
        <div className="receipt-code mono" aria-label={order.id}>
          *{order.id.toUpperCase()}*
        </div>
        <div className="receipt-thanks">{t('receipt.thanks')}</div>
      </div>
      <button type="button" className="btn" onClick={() => window.print()} data-testid="receipt-print">
        {t('receipt.print')}
      </button>
    </div>
  );
}
