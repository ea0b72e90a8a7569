import { useMemo } from 'react';
import type { Answer } from '../../contract';
import { formatFen, formatInt, formatPercent } from '../../format';
import { useResource } from '../../hooks';
import { useI18n } from '../../i18n';
import { Panel } from '../PageHeader';
import { ErrorMessage, Loading } from '../Status';
import { EChart, type ChartOption } from '../EChart';

type Report = Answer<'/v1/analytics/cohorts'>;

/** First-purchase cohorts by month × months since: the share still buying, as a heat map. */
export function CohortHeatmap({ from, to }: { from: string; to: string }) {
  const { t } = useI18n();
  const { data, error, reload } = useResource<Report>('/v1/analytics/cohorts', { from, to, period: 'month' });

  const option = useMemo<ChartOption | null>(() => {
    if (!data || data.cohorts.length === 0) return null;
    const width = Math.max(...data.cohorts.map((c) => c.periods.length));
    const cells = data.cohorts.flatMap((c, y) =>
      c.periods.map((p) => [p.index, y, Math.round(p.retention * 1000) / 10]),
    );
    return {
      tooltip: {
        // The heat map's tooltip is per cell (trigger 'item'): one cell, its [x, y, value].
        formatter: (params) => {
          const [x, y] = (params as unknown as { data: [number, number, number] }).data;
          const c = data.cohorts[y];
          const p = c.periods[x];
          return t('cohort.tooltip', {
            cohort: c.cohort,
            customers: formatInt(c.customers),
            n: p.index,
            active: formatInt(p.active),
            retention: formatPercent(p.retention),
            net: formatFen(p.net_sales),
          });
        },
      },
      grid: { left: 90, right: 16, top: 8, bottom: 28 },
      xAxis: {
        type: 'category',
        data: Array.from({ length: width }, (_, i) => t('cohort.index', { n: i })),
        splitArea: { show: true },
      },
      yAxis: {
        type: 'category',
        data: data.cohorts.map((c) => `${c.cohort} (${formatInt(c.customers)})`),
        inverse: true,
        splitArea: { show: true },
      },
      // The colour scale of retention (the cells carry their percentages, the table below the figures).
      visualMap: { show: false, min: 0, max: 100, inRange: { color: ['#fdf2f2', '#d9534f'] } },
      series: [
        { type: 'heatmap', data: cells, label: { show: true, formatter: (x) => `${(x.data as number[])[2]}%` } },
      ],
    };
  }, [data, t]);

  return (
    <Panel title={t('cohort.title')} hint={t('cohort.def')} testId="cohort-panel">
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading />}
      {data && data.cohorts.length === 0 && <p className="muted">{t('cohort.empty')}</p>}
      {option && data && (
        <>
          <EChart
            option={option}
            height={Math.max(160, 40 + data.cohorts.length * 34)}
            label={t('cohort.chart')}
            testId="cohort-heatmap"
          />
          <div className="table-wrap">
            <table className="table small" data-testid="cohort-table">
              <thead>
                <tr>
                  <th>{t('cohort.cohort')}</th>
                  <th className="num">{t('cohort.customers')}</th>
                  {data.cohorts[0].periods.map((p) => (
                    <th key={p.index} className="num">
                      {t('cohort.index', { n: p.index })}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.cohorts.map((c) => (
                  <tr key={c.cohort} data-testid={`cohort-row-${c.cohort}`}>
                    <td>{c.cohort}</td>
                    <td className="num">{formatInt(c.customers)}</td>
                    {data.cohorts[0].periods.map((_, i) => {
                      const p = c.periods[i];
                      return (
                        <td
                          key={i}
                          className="num"
                          title={p ? `${formatInt(p.active)} · ${formatFen(p.net_sales)}` : undefined}
                        >
                          {p ? formatPercent(p.retention) : ''}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Panel>
  );
}
