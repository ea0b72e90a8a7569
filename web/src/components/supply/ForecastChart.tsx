import { useMemo } from 'react';
import type { Answer } from '../../contract';
import { formatInt, shortDate } from '../../format';
import { useI18n } from '../../i18n';
import { EChart, type ChartOption } from '../EChart';

export type Forecast = Answer<'/v1/forecasts'>;
export type ForecastEvent = Answer<'/v1/forecast-events'>['items'][number];

/** Weeks of history drawn before the forecast: enough to see the weekly rhythm and the trend. */
const HISTORY_DAYS = 56;

const COLORS = {
  history: '#475467',
  forecast: '#d9482b',
  band: 'rgba(217, 72, 43, 0.16)',
  event: 'rgba(245, 166, 35, 0.16)',
};
const one = (n: number) => n.toFixed(1);

/**
 * A SKU's daily units as a store manager reads them: the last weeks sold (a line), the forecast
 * after them (dashed) inside its 80 % interval (a shaded band), and the calendar's events over
 * those days shaded and named at the top.
 */
export function ForecastChart({ forecast, events }: { forecast: Forecast; events: ForecastEvent[] }) {
  const { t } = useI18n();
  const history = useMemo(() => forecast.history.slice(-HISTORY_DAYS), [forecast.history]);
  const days = useMemo(
    () => [...history.map((h) => h.day), ...forecast.forecast.map((f) => f.day)],
    [history, forecast.forecast],
  );
  const shown = useMemo(
    () => events.filter((e) => e.ends_on >= days[0] && e.starts_on <= days[days.length - 1]),
    [events, days],
  );

  const option = useMemo<ChartOption>(() => {
    const pad = history.map(() => null);
    const last = history[history.length - 1];
    // the forecast line starts at the last day sold, so the two lines join
    const means = forecast.forecast.map((f) => f.mean);
    const forecastLine = last ? [...pad.slice(1), last.units, ...means] : means;
    const band = {
      type: 'line' as const,
      stack: 'interval',
      symbol: 'none',
      lineStyle: { opacity: 0 },
      silent: true,
      tooltip: { show: false },
    };
    const first = days[0];
    const end = days[days.length - 1];
    return {
      animation: false,
      grid: { left: 48, right: 16, top: 36, bottom: 32 },
      tooltip: {
        trigger: 'axis',
        formatter: (params: unknown) => {
          const i = (params as { dataIndex: number }[])[0]?.dataIndex ?? 0;
          const day = days[i];
          const lines = [day];
          if (i < history.length) lines.push(`${t('fc.sold')}: ${formatInt(history[i].units)}`);
          else {
            const f = forecast.forecast[i - history.length];
            lines.push(`${t('fc.expected')}: ${one(f.mean)}`, `${t('fc.interval')}: ${one(f.lo)} – ${one(f.hi)}`);
          }
          for (const e of shown) if (e.starts_on <= day && day <= e.ends_on) lines.push(`${e.name} ×${e.uplift}`);
          return lines.join('<br/>');
        },
      },
      xAxis: { type: 'category', data: days, axisLabel: { formatter: (d: string) => shortDate(d) } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          ...band,
          name: 'lo',
          data: [...pad, ...forecast.forecast.map((f) => f.lo)],
        },
        {
          ...band,
          name: t('fc.interval'),
          areaStyle: { color: COLORS.band },
          data: [...pad, ...forecast.forecast.map((f) => f.hi - f.lo)],
        },
        {
          type: 'line',
          name: t('fc.sold'),
          symbol: 'none',
          lineStyle: { color: COLORS.history, width: 1.5 },
          itemStyle: { color: COLORS.history },
          data: [...history.map((h) => h.units), ...forecast.forecast.map(() => null)],
          markArea: {
            silent: true,
            itemStyle: { color: COLORS.event },
            label: { position: 'insideTop', color: '#8a5a00', fontSize: 11 },
            data: shown.map((e): [{ name: string; xAxis: string }, { xAxis: string }] => [
              { name: e.name, xAxis: e.starts_on < first ? first : e.starts_on },
              { xAxis: e.ends_on > end ? end : e.ends_on },
            ]),
          },
        },
        {
          type: 'line',
          name: t('fc.expected'),
          symbol: 'none',
          lineStyle: { color: COLORS.forecast, width: 2, type: 'dashed' },
          itemStyle: { color: COLORS.forecast },
          data: forecastLine,
        },
      ],
    };
  }, [history, forecast.forecast, days, shown, t]);

  return (
    <div>
      <EChart
        option={option}
        height={320}
        testId="forecast-chart"
        label={t('fc.chartLabel')}
        data={{ 'history-days': history.length, 'forecast-days': forecast.forecast.length, events: shown.length }}
      />
      <figcaption className="legend" data-testid="forecast-legend">
        <span className="legend-item">
          <span className="swatch" style={{ background: COLORS.history }} aria-hidden="true" />
          {t('fc.sold')}
        </span>
        <span className="legend-item">
          <span className="swatch" style={{ background: COLORS.forecast }} aria-hidden="true" />
          {t('fc.expected')}
        </span>
        <span className="legend-item">
          <span className="swatch" style={{ background: COLORS.band }} aria-hidden="true" />
          {t('fc.interval')}
        </span>
        <span className="legend-item">
          <span className="swatch" style={{ background: COLORS.event }} aria-hidden="true" />
          {t('fc.events')}
        </span>
      </figcaption>
    </div>
  );
}
