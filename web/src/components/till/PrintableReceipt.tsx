import { useLayoutEffect, useRef, useState, type Ref } from 'react';
import { createPortal } from 'react-dom';
import type { OrderDetail } from '../../api';
import { formatDateTime, formatFen, formatInt } from '../../format';
import { translateValue, useI18n } from '../../i18n';
import { ProductName } from '../ProductName';
import { receiptPrintCss } from './receipt-print';
import './till.css';

interface Props {
  order: OrderDetail;
  storeName: string;
  /** Product names by SKU where the caller has them (the till's basket); others are looked up. */
  names?: ReadonlyMap<string, string>;
}

/** The paper itself: store, time, order number, lines with names and discounts, coupons, points, paid and how. */
function ReceiptPaper({
  order,
  storeName,
  names,
  paperRef,
  testIds,
}: Props & { paperRef?: Ref<HTMLDivElement>; testIds: boolean }) {
  const { t, lang } = useI18n();
  const tot = order.totals;
  const id = (name: string) => (testIds ? name : undefined);
  return (
    <div className="receipt-paper" ref={paperRef} data-testid={id('receipt-paper')}>
      <div className="receipt-store" data-testid={id('receipt-store')}>
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
        <div key={l.line_no} className="receipt-line" data-testid={id('receipt-line')} data-sku={l.sku}>
          <div className="receipt-name">{names?.get(l.sku) ?? <ProductName sku={l.sku} />}</div>
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
        <div className="receipt-meta" data-testid={id('receipt-coupons')}>
          <span>
            {t('receipt.coupons')}
            {order.pricing.coupons.length > 0 && ` (${order.pricing.coupons.map((c) => c.name ?? c.code).join(', ')})`}
          </span>
          <span>{formatFen(-tot.coupon_discount)}</span>
        </div>
      )}
      {tot.points_used > 0 && (
        <div className="receipt-meta" data-testid={id('receipt-points')}>
          <span>{t('receipt.points', { points: formatInt(tot.points_used) })}</span>
          <span>{formatFen(-tot.points_discount)}</span>
        </div>
      )}
      <div className="receipt-meta receipt-total">
        <span>{t('receipt.total')}</span>
        <span data-testid={id('receipt-total')}>{formatFen(tot.total)}</span>
      </div>
      <div className="receipt-meta" data-testid={id('receipt-payment')}>
        <span>{t('receipt.payment')}</span>
        <span>{translateValue(t, 'paymentMethod', order.payment_method)}</span>
      </div>
      <div className="receipt-rule" />
      <div className="receipt-code mono" aria-label={order.id}>
        *{order.id.toUpperCase()}*
      </div>
      <div className="receipt-thanks">{t('receipt.thanks')}</div>
    </div>
  );
}

/**
 * The receipt of a sale as printed on 80 mm roll paper, shown on screen; 打印小票 prints it alone:
 * a copy sits directly in <body>, the only thing shown in print (so the console's layout adds no
 * blank pages), on a page 80 mm wide and as long as the receipt.
 */
export function PrintableReceipt(props: Props) {
  const { t, lang } = useI18n();
  const paper = useRef<HTMLDivElement>(null);
  const [height, setHeight] = useState(600);
  useLayoutEffect(() => {
    if (paper.current) setHeight(paper.current.offsetHeight);
  }, [props.order, props.names, lang]);
  return (
    <div className="receipt-wrap" data-testid="receipt">
      <style>{receiptPrintCss(height)}</style>
      <ReceiptPaper {...props} paperRef={paper} testIds />
      {createPortal(
        <div className="receipt-print-root">
          <ReceiptPaper {...props} testIds={false} />
        </div>,
        document.body,
      )}
      <button type="button" className="btn" onClick={() => window.print()} data-testid="receipt-print">
        {t('receipt.print')}
      </button>
    </div>
  );
}
