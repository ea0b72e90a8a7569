import { useMemo } from 'react';
import { dateRange, formatFen, formatFenShort, formatInt, shortDate } from '../format';
import { translateValue, useI18n } from '../i18n';
import { channelColor } from './channels';

export interface DailyPoint {
  date: string;
  channel: string;
  sales: number;
  orders: number;
}

const W = 960;
const H = 300;
const M = { top: 12, right: 12, bottom: 30, left: 68 };

/** A round axis step near range/steps: 1, 2, 2.5 or 5 times a power of ten. */
function niceStep(range: number, steps: number): number {
  if (range <= 0) return 1;
  const raw = range / steps;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

/**
 * Daily sales from `from` to `to` as bars stacked by channel (channels in the given order, the first
 * at the bottom), with a y axis in yuan, a date axis and a legend. Days without sales show no bar.
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

  const max = Math.max(0, ...days.map((d) => d.sales));
  const step = niceStep(max, 4);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(v);

  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(2, slot * 0.68);
  const y = (v: number) => M.top + plotH - (v / top) * plotH;
  const labelEvery = days.length > 20 ? 5 : days.length > 10 ? 2 : 1;

  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={t('dash.chartLabel')}
        data-testid="daily-chart"
        preserveAspectRatio="xMidYMid meet"
      >
        {ticks.map((v) => (
          <g key={v} className="tick">
            <line x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} className={v === 0 ? 'axis' : 'grid'} />
            <text x={M.left - 8} y={y(v)} dy="0.32em" textAnchor="end">
              {formatFenShort(v, lang)}
            </text>
          </g>
        ))}
        {days.map((d, i) => {
          const x = M.left + i * slot + (slot - barW) / 2;
          let acc = 0;
          const title = [
            `${d.date}  ${formatFen(d.sales)} · ${formatInt(d.orders)} ${t('dash.orders')}`,
            ...d.parts
              .filter((p) => p.sales > 0)
              .map((p) => `${translateValue(t, 'channel', p.channel)}: ${formatFen(p.sales)}`),
          ].join('\n');
          return (
            <g key={d.date} className="day" data-date={d.date}>
              <title>{title}</title>
              <rect className="hover" x={M.left + i * slot} y={M.top} width={slot} height={plotH} />
              {d.parts.map((p) => {
                if (p.sales <= 0) return null;
                const y0 = y(acc);
                acc += p.sales;
                const y1 = y(acc);
                return (
                  <rect
                    key={p.channel}
                    className="bar"
                    data-channel={p.channel}
                    x={x}
                    y={y1}
                    width={barW}
                    height={Math.max(0.5, y0 - y1)}
                    fill={channelColor(p.channel)}
                  />
                );
              })}
              {(i % labelEvery === 0 || i === days.length - 1) && (
                <text className="xlabel" x={M.left + i * slot + slot / 2} y={H - M.bottom + 18} textAnchor="middle">
                  {shortDate(d.date)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend" data-testid="chart-legend">
        {channels.map((c) => (
          <span key={c} className="legend-item">
            <span className="swatch" style={{ background: channelColor(c) }} aria-hidden="true" />
            {translateValue(t, 'channel', c)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
