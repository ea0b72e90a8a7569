import { CostPriceForm } from '../components/CostPriceForm';
import { BarcodeForm } from '../components/stock/BarcodeForm';
import { useState } from 'react';
import type { Product, Stock } from '../api';
import { MovementsTable } from '../components/MovementsTable';
import { Panel } from '../components/PageHeader';
import { ErrorMessage, Loading } from '../components/Status';
import { MovementForm, StockCountForm } from '../components/StockForms';
import { formatFen, formatInt } from '../format';
import { useResource } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { boundLocation, can, useMe } from '../me';
import { href } from '../router';

function StockTable({
  stock: s,
  selected,
  onSelect,
}: {
  stock: Stock;
  selected: string;
  onSelect: (location: string) => void;
}) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  return (
    <div className="table-wrap">
      <table className="table table-compact table-hover" data-testid="stock-table">
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
              <tr
                key={l.location_id}
                className={(low ? 'warn-row' : '') + (l.location_id === selected ? ' selected' : '')}
                title={low ? t('inventory.low') : undefined}
                onClick={() => onSelect(l.location_id)}
                data-testid="stock-row"
                data-location={l.location_id}
              >
                <td>{locationLabel(byId, l.location_id, lang)}</td>
                <td className="num" data-testid="stock-on-hand">
                  {formatInt(l.on_hand)}
                </td>
                <td className="num">{formatInt(l.reserved)}</td>
                <td className="num">{formatInt(l.safety_stock)}</td>
                <td className="num">{formatInt(l.available)}</td>
                <td className="num" data-testid="stock-online">
                  {formatInt(l.online_available)}
                </td>
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
  );
}

/** A SKU's stock in every location, the count and movement forms for one of them, and its recent movements. */
export function StockDetail({ sku }: { sku: string }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const { list: locations, byId } = useLocations();
  const product = useResource<Product>(`/v1/products/${encodeURIComponent(sku)}`);
  const stock = useResource<Stock>(`/v1/stock/${encodeURIComponent(sku)}`);
  const s = stock.data;
  const bound = boundLocation(me);
  const [picked, setPicked] = useState('');
  const location = bound ?? picked;
  // Bumped after each write: the movements are loaded again.
  const [version, setVersion] = useState(0);
  const saved = () => {
    stock.reload();
    setVersion((v) => v + 1);
  };

  // the forecast at the store picked below (else the first store), where the chain total is a click away
  const forecastAt = location || locations.find((l) => l.type === 'store')?.id;
  const close = (
    <>
      {forecastAt && (
        <a
          className="btn btn-small"
          href={href('replenishment', forecastAt, 'forecast', sku)}
          data-testid="stock-forecast"
        >
          {t('fc.open')}
        </a>
      )}
      <a className="btn btn-small" href={href('inventory')}>
        {t('common.close')}
      </a>
    </>
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
      {product.data && <CostPriceForm key={product.data.updated_at} product={product.data} onSaved={product.reload} />}
      {product.data && (
        <BarcodeForm key={`b${product.data.updated_at}`} product={product.data} onSaved={product.reload} />
      )}
      {stock.error && <ErrorMessage error={stock.error} onRetry={stock.reload} />}
      {!s && stock.loading && <Loading />}
      {s && <StockTable stock={s} selected={location} onSelect={(l) => !bound && setPicked(l)} />}
      {s && s.locations.some((l) => l.available < l.safety_stock) && (
        <p className="muted small legend-low">
          <span className="swatch swatch-warn" aria-hidden="true" /> {t('inventory.low')}
        </p>
      )}

      {can(me, 'writeStock') && (
        <>
          <h3>{t('stockForm.title')}</h3>
          <label className="field">
            <span>{t('orders.location')}</span>
            <select
              value={location}
              disabled={!!bound}
              onChange={(e) => setPicked(e.target.value)}
              data-testid="stock-location"
            >
              <option value="">{t('stockForm.chooseLocation')}</option>
              {locations.map((l) => (
                <option key={l.id} value={l.id}>
                  {locationLabel(byId, l.id, lang)}
                </option>
              ))}
            </select>
          </label>
          {location && s && (
            <div className="stock-forms" key={location}>
              <StockCountForm
                sku={sku}
                location={location}
                current={s.locations.find((l) => l.location_id === location)}
                onSaved={saved}
              />
              <MovementForm sku={sku} location={location} onSaved={saved} />
            </div>
          )}
        </>
      )}

      <h3>{t('movements.recent')}</h3>
      <MovementsTable key={version} sku={sku} limit={10} showSku={false} />
    </Panel>
  );
}
