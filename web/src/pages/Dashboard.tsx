import { useMemo } from 'react';
import { CHANNELS, type Dashboard as DashboardData, type Period } from '../api';
import { ChannelBadge } from '../components/Badges';
import { channelColor } from '../components/channels';
import { DailySalesChart } from '../components/DailySalesChart';
import { KpiCard } from '../components/KpiCard';
import { PageHeader, Panel } from '../components/PageHeader';
import { ErrorMessage, Loading } from '../components/Status';
import { formatFen, formatInt, formatPercent } from '../format';
import { translateValue, useI18n } from '../i18n';
import { useResource } from '../hooks';
import { SalesAnalytics } from './SalesAnalytics';
import { CustomerAnalytics } from '../components/analytics/CustomerAnalytics';
import { CouponRoi } from '../components/analytics/CouponRoi';
import { InventoryHealth } from '../components/analytics/InventoryHealth';

function PeriodKpis({
  period,
  label,
  prefix,
  accent,
}: {
  period: Period;
  label: string;
  prefix: 'today' | '30d';
  accent?: boolean;
}) {
  const { t } = useI18n();
  const range = period.from === period.to ? period.from : t('dash.range', { from: period.from, to: period.to });
  return (
    <div className="kpi-row">
      <div className="kpi-row-label">
        <strong>{label}</strong>
        <span className="muted small">{range}</span>
      </div>
      <KpiCard
        label={t('dash.sales')}
        value={formatFen(period.totals.sales)}
        testId={`kpi-${prefix}-sales`}
        accent={accent}
      />
      <KpiCard label={t('dash.orders')} value={formatInt(period.totals.orders)} testId={`kpi-${prefix}-orders`} />
      <KpiCard
        label={t('dash.customers')}
        value={formatInt(period.totals.customers)}
        testId={`kpi-${prefix}-customers`}
      />
      <KpiCard
        label={t('dash.aov')}
        value={formatFen(period.totals.average_order_value)}
        testId={`kpi-${prefix}-aov`}
      />
    </div>
  );
}

export function Dashboard() {
  const { t } = useI18n();
  const { data, error, loading, reload } = useResource<DashboardData>('/v1/analytics/dashboard');

  // Every known channel, then any other the API reports; ordered by 30-day sales (largest first).
  const channels = useMemo(() => {
    if (!data) return [] as string[];
    const all = new Set<string>([
      ...CHANNELS,
      ...data.last_30_days.by_channel.map((c) => c.channel),
      ...data.today.by_channel.map((c) => c.channel),
    ]);
    const sales = (c: string) => data.last_30_days.by_channel.find((x) => x.channel === c)?.sales ?? 0;
    return [...all].sort((a, b) => sales(b) - sales(a));
  }, [data]);

  const refresh = (
    <button type="button" className="btn" onClick={reload} disabled={loading}>
      {loading ? t('common.loading') : t('common.refresh')}
    </button>
  );

  if (!data) {
    return (
      <>
        <PageHeader title={t('dash.title')} actions={refresh} />
        {error ? <ErrorMessage error={error} onRetry={reload} /> : <Loading />}
      </>
    );
  }

  const find = (p: Period, c: string) => p.by_channel.find((x) => x.channel === c);
  const total30 = data.last_30_days.totals.sales;

  return (
    <>
      <PageHeader
        title={t('dash.title')}
        subtitle={t('dash.subtitle', {
          timezone: translateValue(t, 'timezone', data.timezone),
          currency: translateValue(t, 'currency', data.currency),
        })}
        actions={refresh}
      />
      {error && <ErrorMessage error={error} onRetry={reload} />}

      <SalesAnalytics timezone={data.timezone} />
      <CustomerAnalytics timezone={data.timezone} />
      <CouponRoi timezone={data.timezone} />
      <InventoryHealth />

      <section className="kpis" data-testid="kpis">
        <PeriodKpis period={data.today} label={t('dash.today')} prefix="today" accent />
        <PeriodKpis period={data.last_30_days} label={t('dash.last30')} prefix="30d" />
      </section>

      <Panel title={t('dash.daily')} hint={t('dash.dailyHint')}>
        <DailySalesChart
          daily={data.daily}
          from={data.last_30_days.from}
          to={data.last_30_days.to}
          channels={channels}
        />
      </Panel>

      <Panel title={t('dash.byChannel')}>
        <div className="table-wrap">
          <table className="table" data-testid="channel-table">
            <thead>
              <tr className="group-head">
                <th rowSpan={2}>{t('dash.channel')}</th>
                <th colSpan={3} className="group">
                  {t('dash.today')}
                </th>
                <th colSpan={4} className="group">
                  {t('dash.last30')}
                </th>
              </tr>
              <tr>
                <th className="num">{t('dash.sales')}</th>
                <th className="num">{t('dash.orders')}</th>
                <th className="num">{t('dash.customers')}</th>
                <th className="num">{t('dash.sales')}</th>
                <th className="num">{t('dash.orders')}</th>
                <th className="num">{t('dash.customers')}</th>
                <th className="num">{t('dash.share')}</th>
              </tr>
            </thead>
            <tbody>
              {channels.map((c) => {
                const d = find(data.today, c);
                const m = find(data.last_30_days, c);
                const share = total30 > 0 ? (m?.sales ?? 0) / total30 : 0;
                return (
                  <tr key={c} data-testid={`channel-row-${c}`}>
                    <td>
                      <ChannelBadge channel={c} />
                    </td>
                    <td className="num">{formatFen(d?.sales ?? 0)}</td>
                    <td className="num">{formatInt(d?.orders ?? 0)}</td>
                    <td className="num">{formatInt(d?.customers ?? 0)}</td>
                    <td className="num" data-testid={`channel-30d-sales-${c}`}>
                      {formatFen(m?.sales ?? 0)}
                    </td>
                    <td className="num">{formatInt(m?.orders ?? 0)}</td>
                    <td className="num">{formatInt(m?.customers ?? 0)}</td>
                    <td className="num">
                      <span className="share">
                        <span className="share-track" aria-hidden="true">
                          <span
                            className="share-bar"
                            style={{ width: `${(share * 100).toFixed(1)}%`, background: channelColor(c) }}
                          />
                        </span>
                        <span className="share-value">{formatPercent(share)}</span>
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
            <tfoot>
              <tr>
                <th>{t('common.total')}</th>
                <td className="num">{formatFen(data.today.totals.sales)}</td>
                <td className="num">{formatInt(data.today.totals.orders)}</td>
                <td className="num">{formatInt(data.today.totals.customers)}</td>
                <td className="num">{formatFen(data.last_30_days.totals.sales)}</td>
                <td className="num">{formatInt(data.last_30_days.totals.orders)}</td>
                <td className="num">{formatInt(data.last_30_days.totals.customers)}</td>
                <td className="num">{total30 > 0 ? formatPercent(1) : '—'}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      </Panel>
    </>
  );
}
