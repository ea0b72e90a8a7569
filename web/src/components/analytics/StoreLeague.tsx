import type { Answer } from '../../contract';
import { formatFen, formatInt, formatPercent, localName } from '../../format';
import { useResource } from '../../hooks';
import { useI18n, type Translate } from '../../i18n';
import { useLocations } from '../../locations';
import { href } from '../../router';
import { Panel } from '../PageHeader';
import { ErrorMessage, Loading } from '../Status';

type League = Answer<'/v1/analytics/stores'>;

/** Whole minutes (one decimal under ten), or "no data". */
export function formatMinutes(seconds: number | null, t: Translate): string {
  if (seconds === null) return t('score.none');
  const m = seconds / 60;
  return t('score.minutes', { n: m < 10 ? m.toFixed(1) : String(Math.round(m)) });
}

export function formatRate(rate: number | null, t: Translate): string {
  return rate === null ? t('score.none') : formatPercent(rate);
}

/** Every store's figures over the range, best first, each linked to its scorecard. */
export function StoreLeague({ from, to }: { from: string; to: string }) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const { data, error, reload } = useResource<League>('/v1/analytics/stores', { from, to });
  const head = (label: Parameters<Translate>[0], def: Parameters<Translate>[0]) => (
    <th className="num" title={t(def)}>
      {t(label)} <span aria-hidden="true">ⓘ</span>
    </th>
  );
  return (
    <Panel title={t('league.title')} hint={t('league.hint')} testId="store-league">
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading />}
      {data && (
        <div className="table-wrap">
          <table className="table" data-testid="store-league-table">
            <thead>
              <tr>
                <th>{t('league.store')}</th>
                {head('league.inStore', 'score.def.inStore')}
                {head('league.o2oOrders', 'score.def.o2oOrders')}
                {head('league.o2oSales', 'score.def.o2oSales')}
                {head('league.pick', 'score.def.pick')}
                {head('league.noShow', 'score.def.noShow')}
                {head('league.onTime', 'score.def.onTime')}
                {head('league.recruited', 'score.def.recruited')}
                <th />
              </tr>
            </thead>
            <tbody>
              {data.stores.map((s) => {
                const l = byId.get(s.location_id);
                return (
                  <tr key={s.location_id} data-testid={`league-row-${s.location_id}`}>
                    <td>{l ? localName(l.name, lang) : s.location_id}</td>
                    <td className="num">{formatFen(s.in_store_net_sales)}</td>
                    <td className="num">{formatInt(s.online_orders.total)}</td>
                    <td className="num">{formatFen(s.o2o_net_sales)}</td>
                    <td className="num">{formatMinutes(s.median_pick_seconds, t)}</td>
                    <td className="num">{formatRate(s.pickup_no_show_rate, t)}</td>
                    <td className="num">{formatRate(s.hour_delivery_on_time_rate, t)}</td>
                    <td className="num">{formatInt(s.members_recruited)}</td>
                    <td>
                      <a href={href('stores', s.location_id)} data-testid={`league-scorecard-${s.location_id}`}>
                        {t('league.scorecard')}
                      </a>
                    </td>
                  </tr>
                );
              })}
              {data.stores.length === 0 && (
                <tr>
                  <td colSpan={9} className="muted">
                    {t('league.empty')}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
