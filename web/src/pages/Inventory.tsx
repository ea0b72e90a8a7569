import { useEffect, useState } from 'react';
import type { Product, Stock } from '../api';
import { ChannelBadge } from '../components/Badges';
import { PageHeader, Panel } from '../components/PageHeader';
import { Empty, ErrorMessage, LoadMore, Loading } from '../components/Status';
import { formatFen, formatInt } from '../format';
import { usePagedList, useResource } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { href, navigate } from '../router';

const CATEGORIES = ['appliances', '3c', 'mother_baby', 'fresh', 'snacks', 'personal_care'];

function StockDetail({ sku }: { sku: string }) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const product = useResource<Product>(`/v1/products/${encodeURIComponent(sku)}`);
  const stock = useResource<Stock>(`/v1/stock/${encodeURIComponent(sku)}`);
  const s = stock.data;

  const close = (
    <a className="btn btn-small" href={href('inventory')}>
      {t('common.close')}
    </a>
  );
  return (
    <Panel title={t('inventory.stock')} actions={close} className="detail" testId="stock-detail">
      <div className="detail-head">
        <code className="mono">{sku}</code>
        {product.data && <strong>{product.data.name}</strong>}
      </div>
      {product.data && (
        <p className="muted small">
          {translateValue(t, 'category', product.data.category)} · {formatFen(product.data.list_price)}
        </p>
      )}
      {stock.error && <ErrorMessage error={stock.error} onRetry={stock.reload} />}
      {!s && stock.loading && <Loading />}
      {s && (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="stock-table">
            <thead>
              <tr>
                <th>{t('orders.location')}</th>
                <th className="num">{t('inventory.onHand')}</th>
                <th className="num">{t('inventory.reserved')}</th>
                <th className="num">{t('inventory.safety')}</th>
                <th className="num">{t('inventory.available')}</th>
                <th className="num">{t('inventory.onlineAvailable')}</th>
              </tr>
            </thead>
            <tbody>
              {s.locations.map((l) => {
                const low = l.available < l.safety_stock;
                return (
                  <tr key={l.location_id} className={low ? 'warn-row' : ''} title={low ? t('inventory.low') : undefined}>
                    <td>{locationLabel(byId, l.location_id, lang)}</td>
                    <td className="num">{formatInt(l.on_hand)}</td>
                    <td className="num">{formatInt(l.reserved)}</td>
                    <td className="num">{formatInt(l.safety_stock)}</td>
                    <td className="num">{formatInt(l.available)}</td>
                    <td className="num">{formatInt(l.online_available)}</td>
                  </tr>
                );
              })}
            </tbody>
            <tfoot>
              <tr>
                <th>{t('common.total')}</th>
                <td className="num">{formatInt(s.totals.on_hand)}</td>
                <td className="num">{formatInt(s.totals.reserved)}</td>
                <td className="num" />
                <td className="num">{formatInt(s.totals.available)}</td>
                <td className="num">{formatInt(s.totals.online_available)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      {s && s.locations.some((l) => l.available < l.safety_stock) && (
        <p className="muted small legend-low">
          <span className="swatch swatch-warn" aria-hidden="true" /> {t('inventory.low')}
        </p>
      )}
    </Panel>
  );
}

export function Inventory({ selected }: { selected: string | null }) {
  const { t } = useI18n();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [category, setCategory] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const products = usePagedList<Product>('/v1/products', { q, category });

  return (
    <>
      <PageHeader title={t('inventory.title')} subtitle={t('inventory.subtitle')} />
      <div className="filters">
        <input type="search" className="search" placeholder={t('inventory.search')} aria-label={t('inventory.search')} value={search} onChange={(e) => setSearch(e.target.value)} data-testid="product-search" />
        <label className="field-inline">
          <span>{t('inventory.category')}</span>
          <select value={category} onChange={(e) => setCategory(e.target.value)} data-testid="filter-category">
            <option value="">{t('common.all')}</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>{translateValue(t, 'category', c)}</option>
            ))}
          </select>
        </label>
        {!selected && <span className="muted small filters-hint">{t('inventory.selectHint')}</span>}
      </div>
      <div className={'master-detail' + (selected ? ' has-detail' : '')}>
        <Panel className="master">
          {products.error && <ErrorMessage error={products.error} onRetry={products.items.length ? products.loadMore : products.reload} />}
          {products.items.length === 0 && products.loading && <Loading />}
          {products.items.length === 0 && !products.loading && !products.error && <Empty />}
          {products.items.length > 0 && (
            <div className="table-wrap">
              <table className="table table-hover" data-testid="products-table">
                <thead>
                  <tr>
                    <th>{t('orders.sku')}</th>
                    <th>{t('inventory.name')}</th>
                    <th>{t('inventory.category')}</th>
                    <th className="num">{t('inventory.listPrice')}</th>
                    <th>{t('inventory.channels')}</th>
                  </tr>
                </thead>
                <tbody>
                  {products.items.map((p) => (
                    <tr key={p.sku} className={p.sku === selected ? 'selected' : ''} onClick={() => navigate('inventory', p.sku)} data-testid="product-row">
                      <td><a className="mono" href={href('inventory', p.sku)} onClick={(e) => e.stopPropagation()}>{p.sku}</a></td>
                      <td>{p.name}</td>
                      <td className="nowrap">{translateValue(t, 'category', p.category)}</td>
                      <td className="num">{formatFen(p.list_price)}</td>
                      <td>
                        <div className="chips">
                          {p.channels.map((c) => (
                            <ChannelBadge key={c} channel={c} />
                          ))}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <LoadMore count={products.items.length} hasMore={products.hasMore} loading={products.loading} onMore={products.loadMore} />
        </Panel>
        {selected && <StockDetail key={selected} sku={selected} />}
      </div>
    </>
  );
}
