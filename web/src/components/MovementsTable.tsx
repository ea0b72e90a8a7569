import type { StockMovement } from '../api';
import { formatDateTime, formatInt } from '../format';
import { usePagedList } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { SkuWithName } from './ProductName';
import { Empty, ErrorMessage, LoadMore, Loading } from './Status';

/** Stock movements, newest first, for a location and/or SKU (give it a new key to load them again). */
export function MovementsTable({
  locationId,
  sku,
  limit = 50,
  showSku = true,
}: {
  locationId?: string;
  sku?: string;
  limit?: number;
  showSku?: boolean;
}) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const list = usePagedList<StockMovement>('/v1/stock/movements', { location_id: locationId, sku }, limit);
  return (
    <>
      {list.error && <ErrorMessage error={list.error} onRetry={list.items.length ? list.loadMore : list.reload} />}
      {list.items.length === 0 && list.loading && <Loading />}
      {list.items.length === 0 && !list.loading && !list.error && <Empty />}
      {list.items.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="movements-table">
            <thead>
              <tr>
                <th>{t('movements.at')}</th>
                <th>{t('orders.location')}</th>
                {showSku && <th>{t('orders.sku')}</th>}
                <th className="num">{t('movements.delta')}</th>
                <th>{t('movements.reason')}</th>
                <th>{t('movements.ref')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((m) => (
                <tr key={m.id} data-testid="movement-row" data-reason={m.reason}>
                  <td className="nowrap">{formatDateTime(m.created_at, lang)}</td>
                  <td className="nowrap">{locationLabel(byId, m.location_id, lang)}</td>
                  {showSku && (
                    <td>
                      <SkuWithName sku={m.sku} name={m.product_name} />
                    </td>
                  )}
                  <td className={'num ' + (m.delta > 0 ? 'plus' : 'minus')}>
                    {(m.delta > 0 ? '+' : '') + formatInt(m.delta)}
                  </td>
                  <td className="nowrap">{translateValue(t, 'reason', m.reason)}</td>
                  <td className="mono small">{translateValue(t, 'movementRef', m.ref)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore count={list.items.length} hasMore={list.hasMore} loading={list.loading} onMore={list.loadMore} />
    </>
  );
}
