import { useMemo, useState } from 'react';
import type { Answer } from '../contract';
import { ChannelBadge } from '../components/Badges';
import { channelColor } from '../components/channels';
import { Panel } from '../components/PageHeader';
import { ErrorMessage } from '../components/Status';
import { formatFen, formatFenShort, formatInt, formatPercent, localName, shortDate } from '../format';
import { useResource } from '../hooks';
import { translateValue, useI18n, type MessageKey } from '../i18n';
import { useLocations } from '../locations';
import { EChart, type ChartOption } from '../components/EChart';
import { ProductName } from '../components/ProductName';
import { downloadCsv } from '../marketing';
import { useSession } from '../session';

type Sales = Answer<'/v1/analytics/sales'>;
type Figures = Sales['totals'];
type Row = Sales['rows'][number];

export type Preset = 'today' | '7d' | '30d' | '90d' | 'month' | 'lastMonth' | 'custom';
const PRESETS: Preset[] = ['today', '7d', '30d', '90d', 'month', 'lastMonth', 'custom'];
type Compare = '' | 'previous_period' | 'previous_year';
const COMPARES: Compare[] = ['previous_period', 'previous_year', ''];

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
    case '90d':
      return { from: minusDays(today, 89), to: today };
    case 'month':
      return { from: `${today.slice(0, 8)}01`, to: today };
    case 'lastMonth': {
      const last = minusDays(`${today.slice(0, 8)}01`, 1);
      return { from: `${last.slice(0, 8)}01`, to: last };
    }
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
function Figure({ k, now, before, compare }: { k: FigureKey; now: Figures; before?: Figures; compare: Compare }) {
  const { t } = useI18n();
  const v = value(now, k);
  const p = before ? value(before, k) : undefined;
  const delta = p ? `${v >= p ? '+' : ''}${formatPercent((v - p) / Math.abs(p))}` : '';
  const note =
    p === undefined
      ? undefined
      : p === 0
        ? t('sales.noPrev')
        : t(compare === 'previous_year' ? 'sales.vsYear' : 'sales.vsPrev', { delta });
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

/** Net sales per day as bars (ECharts), the compared period's as a line over the same positions. */
function NetSalesChart({ rows, before }: { rows: Row[]; before?: Row[] }) {
  const { t, lang } = useI18n();
  const option = useMemo<ChartOption>(
    () => ({
      animation: false,
      grid: { left: 72, right: 16, top: 28, bottom: 32 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => formatFen(Number(v)) },
      legend: { top: 0, data: [t('sales.net_sales'), ...(before ? [t('sales.compareSeries')] : [])] },
      xAxis: { type: 'category', data: rows.map((r) => (r.key.length === 10 ? shortDate(r.key) : r.key)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatFenShort(v, lang) } },
      series: [
        {
          type: 'bar',
          name: t('sales.net_sales'),
          itemStyle: { color: '#d9534f' },
          data: rows.map((r) => r.net_sales),
        },
        ...(before
          ? [
              {
                type: 'line' as const,
                name: t('sales.compareSeries'),
                itemStyle: { color: '#8a8f98' },
                lineStyle: { type: 'dashed' as const },
                data: rows.map((_, i) => before[i]?.net_sales ?? null),
              },
            ]
          : []),
      ],
    }),
    [rows, before, t, lang],
  );
  return (
    <EChart
      option={option}
      height={260}
      testId="sales-chart"
      label={t('sales.dailyLabel')}
      data={{ bars: rows.length, net: rows.reduce((n, r) => n + r.net_sales, 0) }}
    />
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
  const [compare, setCompare] = useState<Compare>('previous_period');
  const [store, setStore] = useState('');
  const [csvError, setCsvError] = useState<Error | null>(null);
  const { key } = useSession();
  const locations = useLocations();
  const range = presetRange(preset, today, custom);
  const base = { from: range.from, to: range.to, location_id: store || undefined };
  const daily = useResource<Sales>('/v1/analytics/sales', {
    ...base,
    group_by: 'day',
    compare: compare || undefined,
  });
  const channels = useResource<Sales>('/v1/analytics/sales', { ...base, group_by: 'channel' });
  const groups = useResource<Sales>('/v1/analytics/sales', { ...base, group_by: 'channel_group' });
  const skus = useResource<Sales>('/v1/analytics/sales', { ...base, group_by: 'sku', limit: 10 });
  const categories = useResource<Sales>('/v1/analytics/sales', { ...base, group_by: 'category', limit: 10 });
  // Today against the same weekday a week earlier, by channel.
  const weekAgo = minusDays(today, 7);
  const todayByChannel = useResource<Sales>('/v1/analytics/sales', {
    from: today,
    to: today,
    location_id: store || undefined,
    group_by: 'channel',
  });
  const weekAgoByChannel = useResource<Sales>('/v1/analytics/sales', {
    from: weekAgo,
    to: weekAgo,
    location_id: store || undefined,
    group_by: 'channel',
  });
  // O2O: online orders fulfilled by a store = what the stores sold − what they sold at the till.
  const byLocation = useResource<Sales>('/v1/analytics/sales', { ...base, group_by: 'location', limit: 2000 });
  const tillByLocation = useResource<Sales>('/v1/analytics/sales', {
    ...base,
    channel: 'pos',
    group_by: 'location',
    limit: 2000,
  });
  const stores = useMemo(() => locations.list.filter((l) => l.type === 'store'), [locations.list]);
  const d = daily.data;
  const total = d?.totals.net_sales ?? 0;
  const o2o = useMemo(() => {
    if (!byLocation.data || !tillByLocation.data || !groups.data || locations.list.length === 0) return null;
    const storeIds = new Set(stores.map((l) => l.id));
    const sum = (rows: Row[]) => rows.filter((r) => storeIds.has(r.key)).reduce((n, r) => n + r.net_sales, 0);
    const net = sum(byLocation.data.rows) - sum(tillByLocation.data.rows);
    const online = groups.data.rows.find((r) => r.key === 'online')?.net_sales ?? 0;
    return { net, online, share: online > 0 ? net / online : null };
  }, [byLocation.data, tillByLocation.data, groups.data, stores, locations.list.length]);
  const channelsToday = useMemo(() => {
    const keys = new Set([
      ...(todayByChannel.data?.rows ?? []).map((r) => r.key),
      ...(weekAgoByChannel.data?.rows ?? []).map((r) => r.key),
    ]);
    return [...keys].map((k) => ({
      key: k,
      now: todayByChannel.data?.rows.find((r) => r.key === k),
      then: weekAgoByChannel.data?.rows.find((r) => r.key === k),
    }));
  }, [todayByChannel.data, weekAgoByChannel.data]);
  const change = (now: number, then: number) =>
    then === 0 ? '—' : `${now >= then ? '+' : ''}${formatPercent((now - then) / Math.abs(then))}`;

  const downloadDaily = () => {
    setCsvError(null);
    const q = new URLSearchParams({ from: range.from, to: range.to, group_by: 'day' });
    if (store) q.set('location_id', store);
    downloadCsv(
      key!,
      `/v1/analytics/sales?${q}`,
      `sales-${range.from}-${range.to}${store ? `-${store}` : ''}.csv`,
    ).catch((e: Error) => setCsvError(e));
  };

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
            {t('sales.compare')}{' '}
            <select
              value={compare}
              onChange={(e) => setCompare(e.target.value as Compare)}
              data-testid="compare-select"
            >
              {COMPARES.map((c) => (
                <option key={c} value={c}>
                  {t(`sales.compare.${c || 'none'}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="btn"
            onClick={downloadDaily}
            data-testid="sales-csv"
            title={t('sales.csvHint')}
          >
            {t('sales.csv')}
          </button>
          <span className="muted small filters-hint" data-testid="sales-range">
            {t('dash.range', { from: range.from, to: range.to })}
            {d?.compare && ` · ${t('sales.compareWith', { from: d.compare.from, to: d.compare.to })}`}
          </span>
        </div>
        {daily.error && <ErrorMessage error={daily.error} onRetry={daily.reload} />}
        {csvError && <ErrorMessage error={csvError} />}
        {d && (
          <div className="kpi-grid sales-kpis" data-testid="sales-kpis" data-range={`${d.from}..${d.to}`}>
            {FIGURES.map((k) => (
              <Figure key={k} k={k} now={d.totals} before={d.compare?.totals} compare={compare} />
            ))}
            <div className="kpi" title={t('sales.def.o2o')}>
              <div className="kpi-label">
                {t('sales.o2o')} <span aria-hidden="true">ⓘ</span>
              </div>
              <div className="kpi-value" data-testid="sales-kpi-o2o">
                {o2o ? (o2o.share === null ? '—' : formatPercent(o2o.share)) : '…'}
              </div>
              {o2o && (
                <div className="kpi-note" data-testid="sales-kpi-o2o-net" data-net={o2o.net}>
                  {t('sales.o2oNet', { net: formatFen(o2o.net) })}
                </div>
              )}
            </div>
          </div>
        )}
      </Panel>

      {d && (
        <Panel title={t('sales.daily')} hint={t('sales.def.net_sales')}>
          <NetSalesChart rows={d.rows} before={d.compare?.rows} />
        </Panel>
      )}

      <Panel title={t('sales.todayVsWeek', { today, weekAgo })} hint={t('sales.def.todayVsWeek')}>
        <div className="table-wrap">
          <table className="table" data-testid="today-vs-week">
            <thead>
              <tr>
                <th>{t('dash.channel')}</th>
                <th className="num" title={t('sales.def.net_sales')}>
                  {t('sales.todayNet')}
                </th>
                <th className="num" title={t('sales.def.net_sales')}>
                  {t('sales.weekAgoNet')}
                </th>
                <th className="num" title={t('sales.def.change')}>
                  {t('sales.change')}
                </th>
                <th className="num" title={t('sales.def.orders')}>
                  {t('sales.todayOrders')}
                </th>
                <th className="num" title={t('sales.def.orders')}>
                  {t('sales.weekAgoOrders')}
                </th>
              </tr>
            </thead>
            <tbody>
              {channelsToday.map((r) => (
                <tr key={r.key} data-testid={`today-vs-week-row-${r.key}`}>
                  <td>
                    <ChannelBadge channel={r.key} />
                  </td>
                  <td className="num">{formatFen(r.now?.net_sales ?? 0)}</td>
                  <td className="num">{formatFen(r.then?.net_sales ?? 0)}</td>
                  <td className="num">{change(r.now?.net_sales ?? 0, r.then?.net_sales ?? 0)}</td>
                  <td className="num">{formatInt(r.now?.orders ?? 0)}</td>
                  <td className="num">{formatInt(r.then?.orders ?? 0)}</td>
                </tr>
              ))}
              {channelsToday.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">
                    {t('sales.empty')}
                  </td>
                </tr>
              )}
            </tbody>
            {todayByChannel.data && weekAgoByChannel.data && (
              <tfoot>
                <tr>
                  <th>{t('common.total')}</th>
                  <td className="num">{formatFen(todayByChannel.data.totals.net_sales)}</td>
                  <td className="num">{formatFen(weekAgoByChannel.data.totals.net_sales)}</td>
                  <td className="num">
                    {change(todayByChannel.data.totals.net_sales, weekAgoByChannel.data.totals.net_sales)}
                  </td>
                  <td className="num">{formatInt(todayByChannel.data.totals.orders)}</td>
                  <td className="num">{formatInt(weekAgoByChannel.data.totals.orders)}</td>
                </tr>
              </tfoot>
            )}
          </table>
        </div>
      </Panel>

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
          label={(k) => (
            <>
              <ProductName sku={k} /> <code>{k}</code>
            </>
          )}
          testId="top-skus"
          total={total}
        />
        <RankTable
          title={t('sales.topCategories')}
          rows={categories.data?.rows ?? []}
          label={(k) => translateValue(t, 'category', k)}
          testId="top-categories"
          total={total}
        />
      </div>
    </section>
  );
}
