import { useMemo } from 'react';
import type { Answer } from '../../contract';
import { formatFen, formatInt, formatPercent, shortDate } from '../../format';
import { useResource } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';
import { Panel } from '../PageHeader';
import { ErrorMessage, Loading } from '../Status';
import { EChart, type ChartOption } from '../EChart';
import { daysIn } from './range';

type Report = Answer<'/v1/analytics/customers'>;
type Group = Report['totals']['cross_channel'];

/** A figure with its definition as the tooltip. */
function Kpi({ label, def, value, testId }: { label: MessageKey; def: MessageKey; value: string; testId: string }) {
  const { t } = useI18n();
  return (
    <div className="kpi" title={t(def)}>
      <div className="kpi-label">
        {t(label)} <span aria-hidden="true">ⓘ</span>
      </div>
      <div className="kpi-value" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

/** New vs returning buyers per period, repurchase, cross-channel against single-channel buyers, members recruited. */
export function CustomersPanel({ from, to }: { from: string; to: string }) {
  const { t } = useI18n();
  const days = daysIn(from, to);
  const groupBy = days > 92 ? 'month' : days > 31 ? 'week' : 'day';
  const { data, error, reload } = useResource<Report>('/v1/analytics/customers', { from, to, group_by: groupBy });

  const option = useMemo<ChartOption | null>(() => {
    if (!data) return null;
    const keys = data.rows.map((r) => (r.key.length === 10 ? shortDate(r.key) : r.key));
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('cust.new'), t('cust.returning')] },
      grid: { left: 48, right: 16, top: 32, bottom: 28 },
      xAxis: { type: 'category', data: keys },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: t('cust.new'),
          type: 'bar',
          stack: 'buyers',
          data: data.rows.map((r) => r.new),
          itemStyle: { color: '#d9534f' },
        },
        {
          name: t('cust.returning'),
          type: 'bar',
          stack: 'buyers',
          data: data.rows.map((r) => r.returning),
          itemStyle: { color: '#5b8def' },
        },
      ],
    };
  }, [data, t]);

  const groupRow = (name: MessageKey, def: MessageKey, g: Group, testId: string) => (
    <tr data-testid={testId}>
      <th title={t(def)}>
        {t(name)} <span aria-hidden="true">ⓘ</span>
      </th>
      <td className="num">{formatInt(g.customers)}</td>
      <td className="num">{formatFen(g.net_sales)}</td>
      <td className="num">{formatInt(g.orders)}</td>
      <td className="num">{formatFen(g.aov)}</td>
    </tr>
  );

  return (
    <Panel title={t('cust.title')} hint={t('cust.hint')} testId="customers-panel">
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <section>
            <div className="figure-grid">
              <Kpi
                label="cust.buyers"
                def="cust.def.buyers"
                value={formatInt(data.totals.buyers)}
                testId="cust-buyers"
              />
              <Kpi label="cust.new" def="cust.def.new" value={formatInt(data.totals.new)} testId="cust-new" />
              <Kpi
                label="cust.returning"
                def="cust.def.returning"
                value={formatInt(data.totals.returning)}
                testId="cust-returning"
              />
              <Kpi
                label="cust.repurchase"
                def="cust.def.repurchase"
                value={formatPercent(data.totals.repurchase_rate)}
                testId="cust-repurchase"
              />
              <Kpi
                label="cust.recruited"
                def="cust.def.recruited"
                value={formatInt(data.totals.members_recruited)}
                testId="cust-recruited"
              />
            </div>
          </section>
          {data.totals.buyers === 0 ? (
            <p className="muted">{t('cust.empty')}</p>
          ) : (
            option && <EChart option={option} height={220} label={t('cust.chart')} testId="customers-chart" />
          )}
          <div className="table-wrap">
            <table className="table" data-testid="customers-channels">
              <thead>
                <tr>
                  <th />
                  <th className="num">{t('cust.customers')}</th>
                  <th className="num" title={t('cust.def.netSales')}>
                    {t('cust.netSales')}
                  </th>
                  <th className="num">{t('cust.orders')}</th>
                  <th className="num" title={t('cust.def.aov')}>
                    {t('cust.aov')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {groupRow('cust.cross', 'cust.def.cross', data.totals.cross_channel, 'customers-cross')}
                {groupRow('cust.single', 'cust.def.single', data.totals.single_channel, 'customers-single')}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Panel>
  );
}
