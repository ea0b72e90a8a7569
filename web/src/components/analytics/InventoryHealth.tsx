import { useMemo, useState } from 'react';
import type { Answer } from '../../contract';
import { formatFen, formatInt, formatPercent, localName } from '../../format';
import { useI18n } from '../../i18n';
import { useResource } from '../../hooks';
import { locationLabel, useLocations } from '../../locations';
import { boundLocation, useMe } from '../../me';
import { Panel } from '../PageHeader';
import { ErrorMessage, Loading } from '../Status';
import { EChart, type ChartOption } from '../EChart';

type Health = Answer<'/v1/analytics/inventory'>;

/** Rows of each list shown on the dashboard (the API sends up to 50). */
const SHOWN = 10;

const rate = (r: number | null) => (r === null ? '—' : formatPercent(r));

/**
 * Inventory health: stock-out rate now and over 28 days (with the daily rate charted), days of cover,
 * turnover, and the low-stock and slow-mover lists with product and store names. Store staff see
 * their own store (the API keeps them to it).
 */
export function InventoryHealth() {
  const { t, lang } = useI18n();
  const me = useMe();
  const bound = boundLocation(me);
  const [store, setStore] = useState('');
  const locations = useLocations();
  const { data, error, reload } = useResource<Health>('/v1/analytics/inventory', {
    location_id: bound ?? (store || undefined),
  });

  const option = useMemo<ChartOption | null>(() => {
    if (!data || data.stock_out.history.length === 0) return null;
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => `${Number(v).toFixed(1)}%` },
      grid: { left: 48, right: 16, top: 16, bottom: 28 },
      xAxis: { type: 'category', data: data.stock_out.history.map((h) => h.day.slice(5)) },
      yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
      series: [
        {
          name: t('stock.health.out28'),
          type: 'line',
          smooth: true,
          areaStyle: { opacity: 0.15 },
          itemStyle: { color: '#e4572e' },
          data: data.stock_out.history.map((h) => Number(((h.rate ?? 0) * 100).toFixed(2))),
        },
      ],
    };
  }, [data, t]);

  const where = (id: string) => locationLabel(locations.byId, id, lang);
  const kpi = (testId: string, label: string, def: string, value: string, note?: string) => (
    <div className="kpi" title={def}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value" data-testid={testId}>
        {value}
      </div>
      {note && <div className="kpi-note">{note}</div>}
    </div>
  );

  return (
    <section data-testid="inventory-health">
      <Panel
        title={t('stock.health.title')}
        hint={t('stock.health.hint')}
        actions={
          bound ? undefined : (
            <label>
              {t('stock.health.store')}{' '}
              <select value={store} onChange={(e) => setStore(e.target.value)} data-testid="inventory-store">
                <option value="">{t('stock.health.allStores')}</option>
                {locations.list.map((l) => (
                  <option key={l.id} value={l.id}>
                    {localName(l.name, lang)}
                  </option>
                ))}
              </select>
            </label>
          )
        }
      >
        {error && <ErrorMessage error={error} onRetry={reload} />}
        {!data && !error && <Loading />}
        {data && (
          <>
            <div className="kpi-grid" data-testid="inventory-kpis">
              {kpi(
                'stockout-now',
                t('stock.health.outNow'),
                t('stock.health.def.outNow'),
                rate(data.stock_out.now.rate),
                t('stock.health.outCount', {
                  out: formatInt(data.stock_out.now.out),
                  pairs: formatInt(data.stock_out.now.pairs),
                }),
              )}
              {kpi(
                'stockout-28d',
                t('stock.health.out28'),
                t('stock.health.def.out28'),
                rate(data.stock_out.last_28_days.rate),
                t('stock.health.snapshots', { days: data.stock_out.last_28_days.snapshot_days }),
              )}
              {kpi(
                'days-of-cover',
                t('stock.health.cover'),
                t('stock.health.def.cover'),
                data.days_of_cover === null ? '—' : t('stock.health.days', { days: data.days_of_cover.toFixed(1) }),
              )}
              {kpi(
                'turnover',
                t('stock.health.turnover'),
                t('stock.health.def.turnover'),
                data.turnover === null ? '—' : `${data.turnover.toFixed(data.turnover >= 1 ? 2 : 3)}×`,
              )}
            </div>
            {option && (
              <figure className="chart" title={t('stock.health.def.out28')}>
                <figcaption className="muted small">{t('stock.health.history')}</figcaption>
                <EChart option={option} height={200} testId="stockout-chart" />
              </figure>
            )}
            <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))', gap: 16 }}>
              <div>
                <h3 title={t('stock.health.def.low')}>
                  {t('stock.health.low', { count: formatInt(data.low_stock_count) })}
                </h3>
                <div className="table-wrap">
                  <table className="table" data-testid="low-stock-table">
                    <thead>
                      <tr>
                        <th>{t('stock.health.product')}</th>
                        <th>{t('stock.health.location')}</th>
                        <th className="num">{t('stock.health.onHand')}</th>
                        <th className="num">{t('stock.health.available')}</th>
                        <th className="num">{t('stock.health.avgDaily')}</th>
                        <th className="num" title={t('stock.health.def.cover')}>
                          {t('stock.health.cover')}
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.low_stock.length === 0 && (
                        <tr>
                          <td colSpan={6} className="muted">
                            {t('stock.health.emptyLow')}
                          </td>
                        </tr>
                      )}
                      {data.low_stock.slice(0, SHOWN).map((x) => (
                        <tr key={`${x.location_id}/${x.sku}`} data-testid="low-stock-row">
                          <td>
                            {localName(x.name, lang)} <span className="muted small">{x.sku}</span>
                          </td>
                          <td>{where(x.location_id)}</td>
                          <td className="num">{formatInt(x.on_hand)}</td>
                          <td className="num">{formatInt(x.online_available)}</td>
                          <td className="num">{x.avg_daily_units.toFixed(2)}</td>
                          <td className="num">{x.days_of_cover === null ? '—' : x.days_of_cover.toFixed(1)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </div>
              <div>
                <h3 title={t('stock.health.def.slow')}>
                  {t('stock.health.slow', { count: formatInt(data.slow_movers_count) })}
                </h3>
                <div className="table-wrap">
                  <table className="table" data-testid="slow-movers-table">
                    <thead>
                      <tr>
                        <th>{t('stock.health.product')}</th>
                        <th>{t('stock.health.location')}</th>
                        <th className="num">{t('stock.health.onHand')}</th>
                        <th className="num">{t('stock.health.value')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.slow_movers.length === 0 && (
                        <tr>
                          <td colSpan={4} className="muted">
                            {t('stock.health.emptySlow')}
                          </td>
                        </tr>
                      )}
                      {data.slow_movers.slice(0, SHOWN).map((x) => (
                        <tr key={`${x.location_id}/${x.sku}`} data-testid="slow-mover-row">
                          <td>
                            {localName(x.name, lang)} <span className="muted small">{x.sku}</span>
                          </td>
                          <td>{where(x.location_id)}</td>
                          <td className="num">{formatInt(x.on_hand)}</td>
                          <td className="num">{formatFen(x.stock_value)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </div>
            </div>
          </>
        )}
      </Panel>
    </section>
  );
}
