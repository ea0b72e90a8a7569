import { useMemo, useState } from 'react';
import type { Answer } from '../../contract';
import { formatFen, formatInt, formatPercent } from '../../format';
import { translateValue, useI18n, type MessageKey } from '../../i18n';
import { useResource } from '../../hooks';
import { useMe } from '../../me';
import { Panel } from '../PageHeader';
import { ErrorMessage, Loading } from '../Status';
import { EChart, type ChartOption } from '../EChart';

type Coupons = Answer<'/v1/analytics/coupons'>;

const RANGES = { '30d': 30, '90d': 90, '365d': 365 } as const;
type Range = keyof typeof RANGES;

/** Today in the retailer's time zone, YYYY-MM-DD. */
function todayIn(timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

const minusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - n * 86400_000).toISOString().slice(0, 10);

const rate = (r: number | null) => (r === null ? '—' : formatPercent(r));
const roi = (r: number | null) => (r === null ? '—' : `${r.toFixed(2)}×`);

/** Coupon ROI per template over a recent range: a table of every figure (definitions as tooltips) and a bar chart. */
export function CouponRoi({ timezone }: { timezone: string }) {
  const { t } = useI18n();
  const me = useMe();
  const allowed = me !== undefined && ['admin', 'analyst', 'marketer'].includes(me.role);
  const [range, setRange] = useState<Range>('90d');
  const to = todayIn(timezone);
  const from = minusDays(to, RANGES[range] - 1);
  const { data, error, reload } = useResource<Coupons>(allowed ? '/v1/analytics/coupons' : null, { from, to });

  const option = useMemo<ChartOption | null>(() => {
    if (!data) return null;
    const rows = data.templates.filter((x) => x.issued > 0 || x.redeemed > 0);
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => formatFen(Number(v) * 100) },
      legend: { data: [t('coupon.discount'), t('coupon.net_sales')] },
      grid: { left: 80, right: 16, top: 36, bottom: 64 },
      xAxis: {
        type: 'category',
        data: rows.map((x) => x.name),
        axisLabel: { interval: 0, width: 120, overflow: 'truncate' },
      },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => `¥${formatInt(v)}` } },
      series: [
        {
          name: t('coupon.discount'),
          type: 'bar',
          data: rows.map((x) => x.discount / 100),
          itemStyle: { color: '#e4572e' },
        },
        {
          name: t('coupon.net_sales'),
          type: 'bar',
          data: rows.map((x) => x.net_sales / 100),
          itemStyle: { color: '#2e86ab' },
        },
      ],
    };
  }, [data, t]);

  const head = (k: string, def: string) => (
    <th className="num" title={t(`coupon.def.${def}` as MessageKey)}>
      {t(`coupon.${k}` as MessageKey)}
    </th>
  );

  if (!allowed) return null; // coupons' figures are for admins, analysts and marketers
  return (
    <section data-testid="coupon-roi">
      <Panel
        title={t('coupon.title')}
        hint={t('coupon.hint')}
        actions={
          <label>
            {t('coupon.range')}{' '}
            <select value={range} onChange={(e) => setRange(e.target.value as Range)} data-testid="coupon-range">
              {(Object.keys(RANGES) as Range[]).map((r) => (
                <option key={r} value={r}>
                  {t(`coupon.range.${r}` as MessageKey)}
                </option>
              ))}
            </select>{' '}
            <span className="muted small" data-testid="coupon-dates">
              {t('dash.range', { from, to })}
            </span>
          </label>
        }
      >
        {error && <ErrorMessage error={error} onRetry={reload} />}
        {!data && !error && <Loading />}
        {data && option && (
          <>
            <figure className="chart" title={t('coupon.chart')}>
              <EChart option={option} testId="coupon-chart" />
            </figure>
            <div className="table-wrap">
              <table className="table" data-testid="coupon-table">
                <thead>
                  <tr>
                    <th>{t('coupon.template')}</th>
                    <th>{t('coupon.kind')}</th>
                    {head('issued', 'issued')}
                    {head('redeemed', 'redeemed')}
                    {head('rate', 'rate')}
                    {head('discount', 'discount')}
                    {head('orders', 'orders')}
                    {head('net_sales', 'net_sales')}
                    {head('roi', 'roi')}
                  </tr>
                </thead>
                <tbody>
                  {data.templates.length === 0 && (
                    <tr>
                      <td colSpan={9} className="muted">
                        {t('coupon.none')}
                      </td>
                    </tr>
                  )}
                  {data.templates.map((x) => (
                    <tr key={x.template_id} data-testid={`coupon-row-${x.template_id}`}>
                      <td>{x.name}</td>
                      <td>{translateValue(t, 'loyalty.kind', x.kind)}</td>
                      <td className="num">{formatInt(x.issued)}</td>
                      <td className="num">{formatInt(x.redeemed)}</td>
                      <td className="num">{rate(x.redemption_rate)}</td>
                      <td className="num" data-testid={`coupon-discount-${x.template_id}`}>
                        {formatFen(x.discount)}
                      </td>
                      <td className="num">{formatInt(x.orders)}</td>
                      <td className="num" data-testid={`coupon-net-${x.template_id}`}>
                        {formatFen(x.net_sales)}
                      </td>
                      <td className="num">{roi(x.roi)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th colSpan={2}>{t('coupon.total')}</th>
                    <td className="num">{formatInt(data.totals.issued)}</td>
                    <td className="num">{formatInt(data.totals.redeemed)}</td>
                    <td className="num">{rate(data.totals.redemption_rate)}</td>
                    <td className="num" data-testid="coupon-total-discount">
                      {formatFen(data.totals.discount)}
                    </td>
                    <td className="num">{formatInt(data.totals.orders)}</td>
                    <td className="num">{formatFen(data.totals.net_sales)}</td>
                    <td className="num">{roi(data.totals.roi)}</td>
                  </tr>
                </tfoot>
              </table>
            </div>
            <p className="muted small">{t('coupon.journeys')}</p>
          </>
        )}
      </Panel>
    </section>
  );
}
