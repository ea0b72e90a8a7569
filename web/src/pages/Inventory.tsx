import { useEffect, useState } from 'react';
import type { Product } from '../api';
import { ChannelBadge } from '../components/Badges';
import { MovementsTable } from '../components/MovementsTable';
import { PageHeader, Panel } from '../components/PageHeader';
import { Empty, ErrorMessage, LoadMore, Loading } from '../components/Status';
import { Tabs } from '../components/Tabs';
import { StoreStockTable } from '../components/stock/StoreStockTable';
import { useStockTotals } from '../components/stock/useStockTotals';
import { formatFen, formatInt, localName } from '../format';
import { usePagedList } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { boundLocation, useMe } from '../me';
import { href, navigate } from '../router';
import { LowStock } from './LowStock';
import { StockDetail } from './StockDetail';

const CATEGORIES = ['appliances', '3c', 'mother_baby', 'fresh', 'snacks', 'personal_care'];

type Tab = 'products' | 'stores' | 'low' | 'movements';

/** One store's stock: store staff see their own; others choose a store. */
function StoresTab() {
  const { t, lang } = useI18n();
  const me = useMe();
  const { list: locations } = useLocations();
  const bound = boundLocation(me);
  const [chosen, setChosen] = useState('');
  const location = bound ?? chosen;
  return (
    <div data-testid="inventory-store-stock">
      {!bound && (
        <div className="filters">
          <label className="field-inline">
            <span>{t('storeStock.store')}</span>
            <select value={chosen} onChange={(e) => setChosen(e.target.value)} data-testid="inventory-store">
              <option value="">{t('storeStock.chooseStore')}</option>
              {locations.map((l) => (
                <option key={l.id} value={l.id}>
                  {localName(l.name, lang)}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      {location ? (
        <StoreStockTable key={location} location={location} />
      ) : (
        <p className="muted">{t('storeStock.chooseStore')}</p>
      )}
    </div>
  );
}

function Products({ selected }: { selected: string | null }) {
  const { t } = useI18n();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [category, setCategory] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const products = usePagedList<Product>('/v1/products', { q, category });
  const totals = useStockTotals(products.items.map((p) => p.sku));

  return (
    <>
      <div className="filters">
        <input
          type="search"
          className="search"
          placeholder={t('inventory.search')}
          aria-label={t('inventory.search')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="product-search"
        />
        <label className="field-inline">
          <span>{t('inventory.category')}</span>
          <select value={category} onChange={(e) => setCategory(e.target.value)} data-testid="filter-category">
            <option value="">{t('common.all')}</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {translateValue(t, 'category', c)}
              </option>
            ))}
          </select>
        </label>
        {!selected && <span className="muted small filters-hint">{t('inventory.selectHint')}</span>}
      </div>
      {products.error && (
        <ErrorMessage error={products.error} onRetry={products.items.length ? products.loadMore : products.reload} />
      )}
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
                <th className="num">{t('storeStock.totalOnHand')}</th>
                <th className="optional">{t('inventory.channels')}</th>
              </tr>
            </thead>
            <tbody>
              {products.items.map((p) => (
                <tr
                  key={p.sku}
                  className={p.sku === selected ? 'selected' : ''}
                  onClick={() => navigate('inventory', p.sku)}
                  data-testid="product-row"
                >
                  <td>
                    <a className="mono" href={href('inventory', p.sku)} onClick={(e) => e.stopPropagation()}>
                      {p.sku}
                    </a>
                  </td>
                  <td>{p.name}</td>
                  <td className="nowrap">{translateValue(t, 'category', p.category)}</td>
                  <td className="num">{formatFen(p.list_price)}</td>
                  <td className="num" data-testid="product-on-hand">
                    {totals.has(p.sku) ? formatInt(totals.get(p.sku)!) : ''}
                  </td>
                  <td className="optional">
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
      <LoadMore
        count={products.items.length}
        hasMore={products.hasMore}
        loading={products.loading}
        onMore={products.loadMore}
      />
    </>
  );
}

function Movements() {
  const { t, lang } = useI18n();
  const { list: locations, byId } = useLocations();
  const [location, setLocation] = useState('');
  const [skuInput, setSkuInput] = useState('');
  const [sku, setSku] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setSku(skuInput.trim()), 300);
    return () => clearTimeout(timer);
  }, [skuInput]);
  return (
    <div data-testid="movements-tab">
      <div className="filters">
        <label className="field-inline">
          <span>{t('orders.location')}</span>
          <select value={location} onChange={(e) => setLocation(e.target.value)} data-testid="movements-location">
            <option value="">{t('common.all')}</option>
            {locations.map((l) => (
              <option key={l.id} value={l.id}>
                {locationLabel(byId, l.id, lang)}
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          className="search"
          placeholder={t('movements.skuFilter')}
          aria-label={t('movements.skuFilter')}
          value={skuInput}
          onChange={(e) => setSkuInput(e.target.value)}
          data-testid="movements-sku"
        />
      </div>
      <MovementsTable locationId={location || undefined} sku={sku || undefined} />
    </div>
  );
}

export function Inventory({ selected }: { selected: string | null }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>('products');
  return (
    <>
      <PageHeader title={t('inventory.title')} subtitle={t('inventory.subtitle')} />
      <Tabs<Tab>
        value={tab}
        onChange={setTab}
        tabs={[
          { id: 'products', label: t('inventory.tabProducts') },
          { id: 'stores', label: t('storeStock.tab') },
          { id: 'low', label: t('inventory.tabLow') },
          { id: 'movements', label: t('inventory.tabMovements') },
        ]}
        testId="inventory-tabs"
      />
      <div className={'master-detail detail-wide' + (selected ? ' has-detail' : '')}>
        <Panel className="master">
          {tab === 'products' && <Products selected={selected} />}
          {tab === 'stores' && <StoresTab />}
          {tab === 'low' && <LowStock selected={selected} />}
          {tab === 'movements' && <Movements />}
        </Panel>
        {selected && <StockDetail key={selected} sku={selected} />}
      </div>
    </>
  );
}
