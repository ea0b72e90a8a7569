import { formatFen, formatInt } from '../../format';
import { translateValue, useI18n, type Translate } from '../../i18n';
import type { Adjustment, Quote, QuoteCoupon } from '../../loyalty';

/** An adjustment in the console's language, from the engine's reason and values; the API's English text otherwise. */
function describe(t: Translate, a: Adjustment): string {
  const p = a.params ?? {};
  const fen = (k: string) => formatFen(Number(p[k] ?? 0));
  switch (a.reason) {
    case 'promotion_paused':
      return t('adj.promotion_paused', { sku: String(p.sku) });
    case 'coupon':
      return p.not_on
        ? t('adj.couponNotOn', { name: String(p.name), amount: fen('amount'), skus: String(p.not_on) })
        : t('adj.coupon', { name: String(p.name), amount: fen('amount') });
    case 'coupon_free_delivery':
      return t('adj.coupon_free_delivery', { name: String(p.name), fee: fen('fee') });
    case 'delivery_free_from':
      return t('adj.delivery_free_from', { free_from: fen('free_from') });
    case 'delivery_fee':
      return t('adj.delivery_fee', { fee: fen('fee') });
    case 'points':
      return t('adj.points', { points: formatInt(Number(p.points ?? 0)), amount: fen('amount') });
    default:
      return a.description;
  }
}

/** Every step of the price in words: each coupon (or why it does not apply), points, delivery, paused promotions. */
export function Adjustments({ adjustments, coupons }: { adjustments: Adjustment[]; coupons: QuoteCoupon[] }) {
  const { t } = useI18n();
  const refused = coupons.filter((c) => !c.applied);
  if (adjustments.length === 0 && refused.length === 0)
    return (
      <p className="muted small" data-testid="quote-no-adjustments">
        {t('till.noAdjustments')}
      </p>
    );
  return (
    <ul className="adjustments" data-testid="quote-adjustments">
      {adjustments.map((a, i) => (
        <li
          key={i}
          className={'adjustment adjustment-' + a.type}
          data-testid="quote-adjustment"
          data-type={a.type}
          data-code={a.code ?? ''}
          data-amount={a.amount}
        >
          <span className="adjustment-type">{translateValue(t, 'till.adjustment', a.type)}</span>
          <span className="adjustment-text">{describe(t, a)}</span>
          <span className="num adjustment-amount">{a.amount === 0 ? t('common.none') : formatFen(a.amount)}</span>
        </li>
      ))}
      {refused.map((c) => (
        <li
          key={`refused-${c.code}`}
          className="adjustment adjustment-refused"
          data-testid="quote-coupon-refused"
          data-code={c.code}
          data-reason={c.reason ?? ''}
        >
          <span className="adjustment-type">{translateValue(t, 'till.refused', c.reason ?? 'other')}</span>
          <span className="adjustment-text">
            <span className="mono">{c.code}</span> {c.name && <>· {c.name}</>} · {c.message}
          </span>
          <span className="num adjustment-amount">{formatFen(0)}</span>
        </li>
      ))}
    </ul>
  );
}

/** The priced basket: lines with their coupon and points shares, the explanation, and the totals. */
export function QuoteView({ quote }: { quote: Quote }) {
  const { t } = useI18n();
  const tt = quote.totals;
  return (
    <div className="quote" data-testid="quote">
      <div className="table-wrap">
        <table className="table table-compact" data-testid="quote-lines">
          <thead>
            <tr>
              <th>{t('orders.sku')}</th>
              <th className="num">{t('till.qty')}</th>
              <th className="num">{t('till.unitPrice')}</th>
              <th className="num">{t('till.couponShare')}</th>
              <th className="num">{t('till.pointsShare')}</th>
              <th className="num">{t('till.lineAmount')}</th>
            </tr>
          </thead>
          <tbody>
            {quote.lines.map((l) => (
              <tr key={l.line_no} data-testid="quote-line" data-sku={l.sku}>
                <td>
                  <div>{l.name}</div>
                  <div className="mono muted small">{l.sku}</div>
                </td>
                <td className="num">{l.qty}</td>
                <td className="num">{formatFen(l.unit_price)}</td>
                <td className="num">{l.coupon_discount ? formatFen(-l.coupon_discount) : t('common.none')}</td>
                <td className="num">
                  {l.points_discount
                    ? `${formatFen(-l.points_discount)} (${formatInt(l.points_used)})`
                    : t('common.none')}
                </td>
                <td className="num">{formatFen(l.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>{t('till.explanation')}</h3>
      <Adjustments adjustments={quote.adjustments} coupons={quote.coupons} />
      <dl className="totals" data-testid="quote-totals">
        <dt>{t('orders.subtotal')}</dt>
        <dd data-testid="quote-subtotal">{formatFen(tt.subtotal)}</dd>
        <dt>{t('till.couponDiscount')}</dt>
        <dd data-testid="quote-coupon-discount">{formatFen(-tt.coupon_discount)}</dd>
        <dt>{t('till.pointsDiscount', { points: formatInt(tt.points_used) })}</dt>
        <dd data-testid="quote-points-discount">{formatFen(-tt.points_discount)}</dd>
        {tt.delivery_fee > 0 && (
          <>
            <dt>{t('orders.deliveryFee')}</dt>
            <dd>{formatFen(tt.delivery_fee)}</dd>
          </>
        )}
        <dt className="grand">{t('till.toPay')}</dt>
        <dd className="grand" data-testid="quote-total">
          {formatFen(tt.total)}
        </dd>
      </dl>
    </div>
  );
}
