import { useEffect, useState } from 'react';
import { formatInt } from '../../format';
import { usePagedList } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';
import { href, navigate } from '../../router';
import { STORE_STOCK_SORTS, type StoreStockRow, type StoreStockSort } from '../../till';
import { Empty, ErrorMessage, LoadMore, Loading } from '../Status';

const SORT_LABEL: Record<StoreStockSort, MessageKey> = {
  sku: 'orders.sku',
  name: 'storeStock.name',
  on_hand: 'storeStock.onHand',
  reserved: 'storeStock.reserved',
  available: 'storeStock.available',
  sales_7d: 'storeStock.sales7d',
};

/**
 * Every SKU at one store (GET /v1/locations/:id/stock): on hand, reserved, safety stock,
 * available, online-available and units sold there in 7 days; searched by name or SKU, sorted by
 * any figure. A row opens the product's stock in every location.
 */
export function StoreStockTable({ location }: { location: string }) {
  const { t } = useI18n();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [sort, setSort] = useState<StoreStockSort>('sku');
  const [order, setOrder] = useState<'asc' | 'desc'>('asc');
  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const rows = usePagedList<StoreStockRow>(`/v1/locations/${encodeURIComponent(location)}/stock`, {
    q: q || undefined,
    sort,
    order,
  });

  return (
    <div data-testid="store-stock">
      <div className="filters">
        <input
          type="search"
          className="search"
          placeholder={t('storeStock.search')}
          aria-label={t('storeStock.search')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="store-stock-search"
        />
        <label className="field-inline">
          <span>{t('storeStock.sort')}</span>
          <select
            value={sort}
            onChange={(e) => setSort(e.target.value as StoreStockSort)}
            data-testid="store-stock-sort"
          >
            {STORE_STOCK_SORTS.map((s) => (
              <option key={s} value={s}>
                {t(SORT_LABEL[s])}
              </option>
            ))}
          </select>
          <select
            value={order}
            onChange={(e) => setOrder(e.target.value as 'asc' | 'desc')}
            aria-label={t('storeStock.sort')}
            data-testid="store-stock-order"
          >
            <option value="asc">{t('storeStock.asc')}</option>
            <option value="desc">{t('storeStock.desc')}</option>
          </select>
        </label>
      </div>
      <p className="muted small">{t('storeStock.hint')}</p>
      {rows.error && <ErrorMessage error={rows.error} onRetry={rows.items.length ? rows.loadMore : rows.reload} />}
      {rows.items.length === 0 && rows.loading && <Loading />}
      {rows.items.length === 0 && !rows.loading && !rows.error && <Empty />}
      {rows.items.length > 0 && (
        <div className="table-wrap">
          <table className="table table-hover" data-testid="store-stock-table">
            <thead>
              <tr>
                <th>{t('storeStock.name')}</th>
                <th className="num">{t('storeStock.onHand')}</th>
                <th className="num">{t('storeStock.reserved')}</th>
                <th className="num">{t('storeStock.safety')}</th>
                <th className="num">{t('storeStock.available')}</th>
                <th className="num">{t('storeStock.online')}</th>
                <th className="num">{t('storeStock.sales7d')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.items.map((r) => (
                <tr
                  key={r.sku}
                  onClick={() => navigate('inventory', r.sku)}
                  data-testid="store-stock-row"
                  data-sku={r.sku}
                >
                  <td>
                    <div>{r.name}</div>
                    <a
                      className="mono muted small"
                      href={href('inventory', r.sku)}
                      onClick={(e) => e.stopPropagation()}
                    >
                      {r.sku}
                    </a>
                  </td>
                  <td className="num">{formatInt(r.on_hand)}</td>
                  <td className="num">{formatInt(r.reserved)}</td>
                  <td className="num">{formatInt(r.safety_stock)}</td>
                  <td className={'num' + (r.available <= r.safety_stock ? ' minus' : '')}>{formatInt(r.available)}</td>
                  <td className="num">{formatInt(r.online_available)}</td>
                  <td className="num" data-testid="store-stock-sales">
                    {formatInt(r.sales_7d)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore count={rows.items.length} hasMore={rows.hasMore} loading={rows.loading} onMore={rows.loadMore} />
    </div>
  );
}
