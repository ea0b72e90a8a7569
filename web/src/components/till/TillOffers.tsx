import type { Answer } from '../../contract';
import { formatDateTime, formatFen, formatInt } from '../../format';
import { useResource } from '../../hooks';
import { useI18n } from '../../i18n';
import { CouponList } from '../loyalty/CouponList';
import { Panel } from '../PageHeader';
import { ErrorMessage, Loading } from '../Status';

/** GET /v1/customers/:id/offers?channel=pos&location_id= */
type Offers = Answer<'/v1/customers/{id}/offers'>;

/**
 * The payment-success screen's offers for the member just served, at this store: the coupons they
 * can use here now (best value first, with the products they are for), then products they viewed
 * lately that the store has on its shelves.
 */
export function TillOffers({ customer, location }: { customer: string; location: string }) {
  const { t, lang } = useI18n();
  const offers = useResource<Offers>(`/v1/customers/${encodeURIComponent(customer)}/offers`, {
    channel: 'pos',
    location_id: location,
  });
  return (
    <Panel title={t('offers.title')} hint={t('offers.hint')} testId="till-offers">
      {offers.error ? (
        <ErrorMessage error={offers.error} />
      ) : !offers.data ? (
        <Loading />
      ) : offers.data.coupons.length === 0 && offers.data.products.length === 0 ? (
        <p className="muted" data-testid="till-offers-empty">
          {t('offers.none')}
        </p>
      ) : (
        <>
          {offers.data.coupons.length > 0 && (
            <>
              <h3>{t('offers.coupons')}</h3>
              <CouponList coupons={offers.data.coupons} testId="till-offer-coupons" />
              {offers.data.coupons.some((c) => c.products.length > 0) && (
                <ul className="small muted" data-testid="till-offer-coupon-products">
                  {offers.data.coupons
                    .filter((c) => c.products.length > 0)
                    .map((c) => (
                      <li key={c.code}>
                        {t('offers.couponFor', { coupon: c.name, products: c.products.map((p) => p.name).join('、') })}
                      </li>
                    ))}
                </ul>
              )}
            </>
          )}
          {offers.data.products.length > 0 && (
            <>
              <h3>{t('offers.viewed')}</h3>
              <table className="table" data-testid="till-offer-products">
                <thead>
                  <tr>
                    <th>{t('offers.product')}</th>
                    <th className="num">{t('offers.price')}</th>
                    <th className="num">{t('offers.onShelf')}</th>
                    <th>{t('offers.viewedAt')}</th>
                  </tr>
                </thead>
                <tbody>
                  {offers.data.products.map((p) => (
                    <tr key={p.sku} data-testid="till-offer-product" data-sku={p.sku}>
                      <td>
                        {p.name} <span className="muted small mono">{p.sku}</span>
                      </td>
                      <td className="num">{formatFen(p.price)}</td>
                      <td className="num">{formatInt(p.available)}</td>
                      <td className="muted small">{formatDateTime(p.viewed_at, lang)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
    </Panel>
  );
}
