import { useState } from 'react';
import type { LowStockItem, LowStockPolicy } from '../api';
import { LowLevels, LowRulesExplained } from '../components/stock/LowLevels';
import { LowStockRules } from '../components/stock/LowStockRules';
import { ProductName } from '../components/ProductName';
import { Empty, ErrorMessage, Loading } from '../components/Status';
import { formatDateTime, formatInt } from '../format';
import { useResource } from '../hooks';
import { useI18n, type Translate } from '../i18n';
import { useMe } from '../me';
import { href, navigate } from '../router';

function regionText(t: Translate, r: LowStockPolicy['regions'][number]): string {
  if (r.lat === undefined || r.lng === undefined || r.radius_km === undefined) return t('lowStock.allStores');
  return t('lowStock.near', { lat: r.lat.toFixed(4), lng: r.lng.toFixed(4), km: r.radius_km });
}

/**
 * Low stock: every SKU × location at or below its safety stock or a threshold, with the rule that
 * fired (the rules explained, and set by admins); then the SKUs whose online stock has fallen below
 * the policy's threshold in a region (promotions paused there).
 */
export function LowStock({ selected }: { selected: string | null }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const low = useResource<{ items: LowStockItem[] }>('/v1/stock/low');
  const policy = useResource<LowStockPolicy>('/v1/stock/low-stock-policy');
  const p = policy.data;
  const [changes, setChanges] = useState(0);

  return (
    <div data-testid="low-stock">
      <h3>{t('lowLevels.title')}</h3>
      <LowRulesExplained />
      {p && me?.role === 'admin' && (
        <LowStockRules
          policy={p}
          onChanged={() => {
            setChanges((n) => n + 1);
            policy.reload();
          }}
        />
      )}
      <LowLevels key={changes} />
      <h3>{t('lowLevels.regional')}</h3>
      {policy.error && <ErrorMessage error={policy.error} onRetry={policy.reload} />}
      {p && (
        <div className="policy" data-testid="low-stock-policy">
          <span>
            {t('lowStock.threshold')} <strong data-testid="low-stock-threshold">{formatInt(p.threshold)}</strong>
          </span>
          <span className="chips">
            {p.regions.map((r) => (
              <span key={r.id} className="chip">
                <span className="chip-key mono">{r.id}</span>
                {regionText(t, r)}
              </span>
            ))}
          </span>
          <span className="muted small">{t('lowStock.hint')}</span>
        </div>
      )}
      {low.error && <ErrorMessage error={low.error} onRetry={low.reload} />}
      {!low.data && low.loading && <Loading />}
      {low.data && low.data.items.length === 0 && <Empty />}
      {low.data && low.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table table-hover" data-testid="low-stock-table">
            <thead>
              <tr>
                <th>{t('orders.sku')}</th>
                <th>{t('inventory.name')}</th>
                <th>{t('lowStock.region')}</th>
                <th className="num">{t('inventory.onlineAvailable')}</th>
                <th className="num">{t('lowStock.threshold')}</th>
                <th>{t('lowStock.since')}</th>
              </tr>
            </thead>
            <tbody>
              {low.data.items.map((i) => (
                <tr
                  key={i.sku + '|' + i.region}
                  className={i.sku === selected ? 'selected' : ''}
                  onClick={() => navigate('inventory', i.sku)}
                  data-testid="low-stock-row"
                >
                  <td>
                    <a className="mono" href={href('inventory', i.sku)} onClick={(e) => e.stopPropagation()}>
                      {i.sku}
                    </a>
                  </td>
                  <td>
                    <ProductName sku={i.sku} />
                  </td>
                  <td className="mono">{i.region}</td>
                  <td className="num minus">{formatInt(i.online_available)}</td>
                  <td className="num">{formatInt(i.threshold)}</td>
                  <td className="nowrap">{formatDateTime(i.since, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
