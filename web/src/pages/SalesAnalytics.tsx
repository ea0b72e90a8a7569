import { useMemo, useState } from 'react';
import type { Answer } from '../contract';
import { ChannelBadge } from '../components/Badges';
import { channelColor } from '../components/channels';
import { Panel } from '../components/PageHeader';
import { ErrorMessage } from '../components/Status';
import { formatFen, formatFenShort, formatInt, formatPercent, localName, shortDate } from '../format';
import { useResource } from '../hooks';
import { useI18n, type MessageKey } from '../i18n';
import { useLocations } from '../locations';

type Sales = Answer<'/v1/analytics/sales'>;
type Figures = Sales['totals'];
type Row = Sales['rows'][number];

export type Preset = 'today' | '7d' | '30d' | 'month' | 'custom';
const PRESETS: Preset[] = ['today', '7d', '30d', 'month', 'custom'];

/** Today's date (YYYY-MM-DD) in a time zone. */
function todayIn(timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

function minusDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - n * 86400_000).toISOString().slice(0, 10);
}

/** The range of a preset ending today (custom keeps what was typed). */
export function presetRange(preset: Preset, today: string, custom: { from: string; to: string }) {
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case '7d':
      return { from: minusDays(today, 6), to: today };
    case '30d':
      return { from: minusDays(today, 29), to: today };
    case 'month':
      return { from: `${today.slice(0, 8)}01`, to: today };
    case 'custom':
      return custom;
  }
}

type FigureKey = 'net_sales' | 'gross_sales' | 'discounts' | 'refunds' | 'orders' | 'units' | 'customers' | 'aov';
const FIGURES: FigureKey[] = [
  'net_sales',
  'gross_sales',
  'discounts',
  'refunds',
  'orders',
  'units',
  'customers',
  'aov',
];
const MONEY = new Set<FigureKey>(['net_sales', 'gross_sales', 'discounts', 'refunds', 'aov']);

const value = (f: Figures, k: FigureKey): number =>
  k === 'discounts' ? f.discounts.coupons + f.discounts.points : (f[k] as number);

function show(k: FigureKey, n: number): string {
  return MONEY.has(k) ? formatFen(n) : formatInt(n);
}

/** One figure with its definition as a tooltip and the change against the compared period. */
function Figure({ k, now, before }: { k: FigureKey; now: Figures; before?: Figures }) {
  const { t } = useI18n();
  const v = value(now, k);
  const p = before ? value(before, k) : undefined;
  const note =
    p === undefined
      ? undefined
      : p === 0
        ? t('sales.noPrev')
        : t('sales.vsPrev', { delta: `${v >= p ? '+' : ''}${formatPercent((v - p) / Math.abs(p))}` });
  return (
    <div className={'kpi' + (k === 'net_sales' ? ' kpi-accent' : '')} title={t(`sales.def.${k}` as MessageKey)}>
      <div className="kpi-label">
        {t(`sales.${k}` as MessageKey)} <span aria-hidden="true">ⓘ</span>
      </div>
      <div className="kpi-value" data-testid={`sales-kpi-${k}`}>
        {show(k, v)}
      </div>
      {note && (
        <div className="kpi-note" data-testid={`sales-kpi-${k}-compare`}>
          {note}
        </div>
      )}
    </div>
  );
}

/** Net sales per period as bars (negative days, when refunds exceed sales, below the axis). */
function NetSalesBars({ rows }: { rows: Row[] }) {
  const { t, lang } = useI18n();
  const W = 960;
  const H = 220;
  const M = { top: 10, right: 10, bottom: 26, left: 64 };
  const max = Math.max(1, ...rows.map((r) => r.net_sales));
  const min = Math.min(0, ...rows.map((r) => r.net_sales));
  const y = (v: number) => M.top + ((max - v) / (max - min)) * (H - M.top - M.bottom);
  const step = (W - M.left - M.right) / Math.max(1, rows.length);
  const every = Math.ceil(rows.length / 12);
  return (
    <figure className="chart" data-testid="sales-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('sales.dailyLabel')}>
        <text x={M.left - 6} y={y(max) + 4} textAnchor="end">
          {formatFenShort(max, lang)}
        </text>
        <line x1={M.left} x2={W - M.right} y1={y(0)} y2={y(0)} stroke="#ccc" />
        <text x={M.left - 6} y={y(0) + 4} textAnchor="end">
          ¥0
        </text>
        {rows.map((r, i) => (
          <g key={r.key}>
            <rect
              className="bar"
              x={M.left + i * step + step * 0.15}
              width={step * 0.7}
              y={Math.min(y(r.net_sales), y(0))}
              height={Math.abs(y(r.net_sales) - y(0))}
              fill="#d9534f"
            >
              <title>{`${r.key}: ${formatFen(r.net_sales)} · ${formatInt(r.orders)}`}</title>
            </rect>
            {i % every === 0 && (
              <text x={M.left + i * step + step / 2} y={H - 8} textAnchor="middle">
                {r.key.length === 10 ? shortDate(r.key) : r.key}
              </text>
            )}
          </g>
        ))}
      </svg>
    </figure>
  );
}

function RankTable({
  title,
  rows,
  label,
  testId,
  total,
}: {
  title: string;
  rows: Row[];
  label: (key: string) => React.ReactNode;
  testId: string;
  total: number;
}) {
  const { t } = useI18n();
  return (
    <Panel title={title} hint={t('sales.def.skuCustomers')}>
      <div className="table-wrap">
        <table className="table" data-testid={testId}>
          <thead>
            <tr>
              <th>{title}</th>
              <th className="num" title={t('sales.def.net_sales')}>
                {t('sales.net_sales')}
              </th>
              <th className="num" title={t('sales.def.units')}>
                {t('sales.units')}
              </th>
              <th className="num" title={t('sales.def.orders')}>
                {t('sales.orders')}
              </th>
              <th className="num">{t('sales.share')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} data-testid={`${testId}-row-${r.key}`}>
                <td>{label(r.key)}</td>
                <td className="num">{formatFen(r.net_sales)}</td>
                <td className="num">{formatInt(r.units)}</td>
                <td className="num">{formatInt(r.orders)}</td>
                <td className="num">{total > 0 ? formatPercent(r.net_sales / total) : '—'}</td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  {t('sales.empty')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}

/**
 * The dashboard's sales analytics: a date range (presets or custom), comparison with the previous
 * period, a store filter, every figure with its definition, by day, by channel, top SKUs and categories.
 */
export function SalesAnalytics({ timezone }: { timezone: string }) {
  const { t, lang } = useI18n();
  const today = todayIn(timezone);
  const [preset, setPreset] = useState<Preset>('30d');
  const [custom, setCustom] = useState({ from: minusDays(today, 29), to: today });
  const [compare, setCompare] = useState(true);
  const [store, setStore] = useState('');
  const locations = useLocations();
  const range = presetRange(preset, today, custom);
  const base = { from: range.from, to: range.to, location_id: store || undefined };
  const daily = useResource<Sales>('/v1/analytics/sales', {
    ...base,
    group_by: 'day',
    compare: compare ? 'previous_period' : undefined,
  });
  const channels = useResource<Sales>('/v1/analytics/sales', { ...base, group_by: 'channel' });
  const groups = useResource<Sales>('/v1/analytics/sales', { ...base, group_by: 'channel_group' });
  const skus = useResource<Sales>('/v1/analytics/sales', { ...base, group_by: 'sku', limit: 10 });
  const categories = useResource<Sales>('/v1/analytics/sales', { ...base, group_by: 'category', limit: 10 });
  const stores = useMemo(() => locations.list.filter((l) => l.type === 'store'), [locations.list]);
  const d = daily.data;
  const total = d?.totals.net_sales ?? 0;

  return (
    <section data-testid="sales-analytics">
      <Panel title={t('sales.title')} hint={t('sales.hint')}>
        <div className="filters" data-testid="sales-filters">
          <div className="segmented" role="group">
            {PRESETS.map((p) => (
              <button
                key={p}
                type="button"
                className={preset === p ? 'active' : undefined}
                aria-pressed={preset === p}
                data-testid={`range-${p}`}
                onClick={() => setPreset(p)}
              >
                {t(`sales.range.${p}` as MessageKey)}
              </button>
            ))}
          </div>
          {preset === 'custom' && (
            <>
              <label>
                {t('sales.from')}{' '}
                <input
                  type="date"
                  value={custom.from}
                  max={custom.to}
                  data-testid="range-from"
                  onChange={(e) => e.target.value && setCustom({ ...custom, from: e.target.value })}
                />
              </label>
              <label>
                {t('sales.to')}{' '}
                <input
                  type="date"
                  value={custom.to}
                  min={custom.from}
                  data-testid="range-to"
                  onChange={(e) => e.target.value && setCustom({ ...custom, to: e.target.value })}
                />
              </label>
            </>
          )}
          <label>
            {t('sales.store')}{' '}
            <select value={store} onChange={(e) => setStore(e.target.value)} data-testid="store-filter">
              <option value="">{t('sales.allStores')}</option>
              {stores.map((l) => (
                <option key={l.id} value={l.id}>
                  {localName(l.name, lang)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input
              type="checkbox"
              checked={compare}
              onChange={(e) => setCompare(e.target.checked)}
              data-testid="compare-toggle"
            />{' '}
            {t('sales.compare')}
          </label>
          <span className="muted small filters-hint" data-testid="sales-range">
            {t('dash.range', { from: range.from, to: range.to })}
            {d?.compare && ` · ${t('sales.compareWith', { from: d.compare.from, to: d.compare.to })}`}
          </span>
        </div>
        {daily.error && <ErrorMessage error={daily.error} onRetry={daily.reload} />}
        {d && (
          <div className="kpi-grid sales-kpis" data-testid="sales-kpis" data-range={`${d.from}..${d.to}`}>
            {FIGURES.map((k) => (
              <Figure key={k} k={k} now={d.totals} before={d.compare?.totals} />
            ))}
          </div>
        )}
      </Panel>

      {d && (
        <Panel title={t('sales.daily')} hint={t('sales.def.net_sales')}>
          <NetSalesBars rows={d.rows} />
        </Panel>
      )}

      <Panel title={t('sales.byChannel')}>
        <div className="table-wrap">
          <table className="table" data-testid="sales-channel-table">
            <thead>
              <tr>
                <th>{t('dash.channel')}</th>
                {FIGURES.map((k) => (
                  <th key={k} className="num" title={t(`sales.def.${k}` as MessageKey)}>
                    {t(`sales.${k}` as MessageKey)}
                  </th>
                ))}
                <th className="num">{t('sales.share')}</th>
              </tr>
            </thead>
            <tbody>
              {(channels.data?.rows ?? []).map((r) => (
                <tr key={r.key} data-testid={`sales-channel-row-${r.key}`}>
                  <td>
                    <ChannelBadge channel={r.key} />
                  </td>
                  {FIGURES.map((k) => (
                    <td key={k} className="num">
                      {show(k, value(r, k))}
                    </td>
                  ))}
                  <td className="num">
                    <span className="share">
                      <span className="share-track" aria-hidden="true">
                        <span
                          className="share-bar"
                          style={{
                            width: `${total > 0 ? Math.max(0, (r.net_sales / total) * 100).toFixed(1) : 0}%`,
                            background: channelColor(r.key),
                          }}
                        />
                      </span>
                      <span className="share-value">{total > 0 ? formatPercent(r.net_sales / total) : '—'}</span>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              {(groups.data?.rows ?? []).map((r) => (
                <tr key={r.key} data-testid={`sales-group-row-${r.key}`}>
                  <th>{t(`sales.group.${r.key}` as MessageKey)}</th>
                  {FIGURES.map((k) => (
                    <td key={k} className="num">
                      {show(k, value(r, k))}
                    </td>
                  ))}
                  <td className="num">{total > 0 ? formatPercent(r.net_sales / total) : '—'}</td>
                </tr>
              ))}
            </tfoot>
          </table>
        </div>
      </Panel>

      <div className="sales-ranks">
        <RankTable
          title={t('sales.topSkus')}
          rows={skus.data?.rows ?? []}
          label={(k) => <code>{k}</code>}
          testId="top-skus"
          total={total}
        />
        <RankTable
          title={t('sales.topCategories')}
          rows={categories.data?.rows ?? []}
          label={(k) => k || t('common.none')}
          testId="top-categories"
          total={total}
        />
      </div>
    </section>
  );
}
