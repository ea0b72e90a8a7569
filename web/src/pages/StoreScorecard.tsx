import { useState } from 'react';
import { formatMinutes, formatRate } from '../components/analytics/StoreLeague';
import { FootfallChart } from '../components/appointments/FootfallChart';
import { RangePresets } from '../components/analytics/RangePresets';
import { rangeOf, todayIn, type RangePreset } from '../components/analytics/range';
import { PageHeader, Panel } from '../components/PageHeader';
import { ErrorMessage, Loading } from '../components/Status';
import type { Answer } from '../contract';
import { formatFen, formatInt, localName } from '../format';
import { useResource } from '../hooks';
import { useI18n, type MessageKey } from '../i18n';
import { useLocations } from '../locations';
import { href } from '../router';

type Scorecard = Answer<'/v1/stores/{id}/scorecard'>;
const KINDS = ['pickup', 'hour', 'same_day', 'standard', 'total'] as const;

function Figure({
  label,
  def,
  value,
  note,
  testId,
}: {
  label: MessageKey;
  def: MessageKey;
  value: string;
  note?: string;
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <div className="kpi" title={t(def)}>
      <div className="kpi-label">
        {t(label)} <span aria-hidden="true">ⓘ</span>
      </div>
      <div className="kpi-value" data-testid={testId}>
        {value}
      </div>
      {note && <div className="kpi-note">{note}</div>}
    </div>
  );
}

/** One store's scorecard over a range: sales, the online orders it fulfils, fulfilment times, members recruited. */
export function StoreScorecard({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const timezone = useResource<{ timezone: string }>('/v1/analytics/dashboard').data?.timezone;
  const [preset, setPreset] = useState<RangePreset>('30d');
  const range = rangeOf(preset, todayIn(timezone ?? 'Asia/Shanghai'));
  const { data, error, reload } = useResource<Scorecard>(
    timezone ? `/v1/stores/${encodeURIComponent(id)}/scorecard` : null,
    range,
  );
  const l = byId.get(id);
  const name = l ? localName(l.name, lang) : id;
  const ofCount = (part: number, whole: number) => (whole > 0 ? t('score.ofCount', { part, whole }) : undefined);
  return (
    <>
      <PageHeader
        title={t('score.title', { name })}
        subtitle={t('score.subtitle', range)}
        actions={
          <>
            <a className="btn" href={href('stores', id, 'appointments')} data-testid="scorecard-appointments">
              {t('appt.open')}
            </a>
            <a className="btn" href={href('stores', id, 'stock')} data-testid="scorecard-store-stock">
              {t('storeStock.open')}
            </a>
            <a className="btn" href={href('stores')}>
              {t('score.back')}
            </a>
          </>
        }
      />
      <div className="filters">
        <RangePresets value={preset} onChange={setPreset} testId="score-range" />
      </div>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading />}
      {data && (
        <section data-testid="scorecard">
          <Panel>
            <div className="figure-grid">
              <Figure
                label="score.inStore"
                def="score.def.inStore"
                value={formatFen(data.in_store_net_sales)}
                note={`${t('score.inStoreOrders')} ${formatInt(data.in_store_orders)}`}
                testId="score-in-store"
              />
              <Figure
                label="score.o2oSales"
                def="score.def.o2oSales"
                value={formatFen(data.o2o_net_sales)}
                testId="score-o2o-sales"
              />
              <Figure
                label="score.recruited"
                def="score.def.recruited"
                value={formatInt(data.members_recruited)}
                testId="score-recruited"
              />
              <Figure
                label="score.revenueShare"
                def="score.def.revenueShare"
                value={formatFen(data.revenue_share.net)}
                note={`${t('score.revenueShareOrders')} ${formatInt(data.revenue_share.orders)}`}
                testId="score-revenue-share"
              />
              <Figure
                label="score.footfall"
                def="score.def.footfall"
                value={formatRate(data.footfall_conversion, t)}
                note={
                  data.footfall_recorded
                    ? `${t('score.footfallVisitors')} ${formatInt(data.footfall)}`
                    : t('score.noFootfall')
                }
                testId="score-footfall"
              />
            </div>
            <div className="figure-grid">
              <Figure
                label="score.pick"
                def="score.def.pick"
                value={formatMinutes(data.median_pick_seconds, t)}
                testId="score-pick"
              />
              <Figure
                label="score.ready"
                def="score.def.ready"
                value={formatMinutes(data.median_ready_for_pickup_seconds, t)}
                testId="score-ready"
              />
              <Figure
                label="score.noShow"
                def="score.def.noShow"
                value={formatRate(data.pickup_no_show_rate, t)}
                note={ofCount(data.pickup_no_shows, data.pickups_ended)}
                testId="score-no-show"
              />
              <Figure
                label="score.onTime"
                def="score.def.onTime"
                value={formatRate(data.hour_delivery_on_time_rate, t)}
                note={ofCount(data.hour_on_time, data.hour_deliveries)}
                testId="score-on-time"
              />
            </div>
          </Panel>
          {data.footfall_recorded && (
            <Panel title={t('score.byHour')} hint={t('score.def.byHour')}>
              <FootfallChart hours={data.footfall_by_hour} />
            </Panel>
          )}
          <Panel title={t('score.o2oOrders')} hint={t('score.def.o2oOrders')}>
            <div className="table-wrap">
              <table className="table" data-testid="score-kinds">
                <thead>
                  <tr>
                    {KINDS.map((k) => (
                      <th key={k} className="num">
                        {t(`score.kind.${k}` as MessageKey)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    {KINDS.map((k) => (
                      <td key={k} className="num" data-testid={`score-kind-${k}`}>
                        {formatInt(data.online_orders[k])}
                      </td>
                    ))}
                  </tr>
                </tbody>
              </table>
            </div>
          </Panel>
        </section>
      )}
    </>
  );
}
