import { useMemo } from 'react';
import { dateRange, formatFen, formatFenShort, shortDate } from '../format';
import { translateValue, useI18n } from '../i18n';
import { channelColor } from './channels';
import { EChart, type ChartOption } from './EChart';

export interface DailyPoint {
  date: string;
  channel: string;
  sales: number;
  orders: number;
}

/**
 * Daily sales from `from` to `to` as bars stacked by channel (ECharts; channels in the given order,
 * the first at the bottom), with a y axis in yuan, a date axis, a tooltip per day and a legend.
 */
export function DailySalesChart({
  daily,
  from,
  to,
  channels,
}: {
  daily: DailyPoint[];
  from: string;
  to: string;
  channels: string[];
}) {
  const { t, lang } = useI18n();
  const days = useMemo(() => {
    const dates = dateRange(from, to);
    const byDate = new Map<string, Map<string, DailyPoint>>();
    for (const p of daily) {
      if (!byDate.has(p.date)) byDate.set(p.date, new Map());
      byDate.get(p.date)!.set(p.channel, p);
    }
    // Dates the API has that fall outside from..to still get drawn, at the end.
    for (const d of byDate.keys()) if (!dates.includes(d)) dates.push(d);
    dates.sort();
    return dates.map((date) => {
      const m = byDate.get(date) ?? new Map<string, DailyPoint>();
      const parts = channels.map((c) => ({ channel: c, sales: m.get(c)?.sales ?? 0, orders: m.get(c)?.orders ?? 0 }));
      return {
        date,
        parts,
        sales: parts.reduce((s, p) => s + p.sales, 0),
        orders: parts.reduce((s, p) => s + p.orders, 0),
      };
    });
  }, [daily, from, to, channels]);

  const option = useMemo<ChartOption>(
    () => ({
      animation: false,
      grid: { left: 72, right: 16, top: 16, bottom: 32 },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        valueFormatter: (v) => formatFen(Number(v)),
      },
      xAxis: { type: 'category', data: days.map((d) => shortDate(d.date)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatFenShort(v, lang) } },
      series: channels.map((c) => ({
        type: 'bar',
        name: translateValue(t, 'channel', c),
        stack: 'sales',
        itemStyle: { color: channelColor(c) },
        data: days.map((d) => d.parts.find((p) => p.channel === c)?.sales ?? 0),
      })),
    }),
    [days, channels, t, lang],
  );
  const withSales = days.filter((d) => d.sales > 0).length;

  return (
    <div>
      <EChart
        option={option}
        testId="daily-chart"
        label={t('dash.chartLabel')}
        data={{ days: days.length, 'days-with-sales': withSales, orders: days.reduce((n, d) => n + d.orders, 0) }}
      />
      <figcaption className="legend" data-testid="chart-legend">
        {channels.map((c) => (
          <span key={c} className="legend-item">
            <span className="swatch" style={{ background: channelColor(c) }} aria-hidden="true" />
            {translateValue(t, 'channel', c)}
          </span>
        ))}
      </figcaption>
    </div>
  );
}
