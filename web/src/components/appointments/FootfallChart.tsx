import { useMemo } from 'react';
import type { Answer } from '../../contract';
import { formatInt, formatPercent } from '../../format';
import { useI18n } from '../../i18n';
import { EChart, type ChartOption } from '../EChart';

type Hours = Answer<'/v1/stores/{id}/scorecard'>['footfall_by_hour'];

/**
 * A store's footfall by hour of the day as bars (visitors, left axis) with conversion (till sales ÷
 * visitors) as a line (right axis), over the hours from the first to the last with any visitor or sale.
 */
export function FootfallChart({ hours }: { hours: Hours }) {
  const { t } = useI18n();
  const shown = useMemo(() => {
    const busy = hours.filter((h) => h.footfall > 0 || h.pos_orders > 0).map((h) => h.hour);
    if (busy.length === 0) return [];
    return hours.filter((h) => h.hour >= Math.min(...busy) && h.hour <= Math.max(...busy));
  }, [hours]);
  const option = useMemo<ChartOption>(
    () => ({
      animation: false,
      grid: { left: 56, right: 56, top: 32, bottom: 32 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'category', data: shown.map((h) => t('score.hourLabel', { hour: h.hour })) },
      yAxis: [
        { type: 'value', name: t('score.footfallVisitors'), axisLabel: { formatter: (v: number) => formatInt(v) } },
        {
          type: 'value',
          name: t('score.footfall'),
          axisLabel: { formatter: (v: number) => formatPercent(v) },
          splitLine: { show: false },
        },
      ],
      series: [
        {
          type: 'bar',
          name: t('score.footfallVisitors'),
          data: shown.map((h) => h.footfall),
          tooltip: { valueFormatter: (v) => formatInt(Number(v)) },
        },
        {
          type: 'line',
          name: t('score.footfall'),
          yAxisIndex: 1,
          data: shown.map((h) => h.conversion),
          tooltip: { valueFormatter: (v) => (v === null || v === undefined ? '—' : formatPercent(Number(v))) },
        },
      ],
    }),
    [shown, t],
  );
  return (
    <EChart
      option={option}
      height={260}
      testId="footfall-chart"
      label={t('score.chartLabel')}
      data={{ hours: shown.length, visitors: shown.reduce((n, h) => n + h.footfall, 0) }}
    />
  );
}
