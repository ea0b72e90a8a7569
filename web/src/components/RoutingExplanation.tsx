import type { Routing } from '../api';
import { translateValue, useI18n } from '../i18n';
import { locationLabel, useLocations } from '../locations';

/** Why the order went where it went: the decision, the policy's reason and every location it weighed. */
export function RoutingExplanation({ routing }: { routing: Routing | null }) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  if (!routing) return <p className="muted small">{t('routing.none')}</p>;
  return (
    <div className="routing" data-testid="routing">
      <dl className="facts">
        <dt>{t('routing.decision')}</dt>
        <dd>
          <span className="badge badge-info" data-testid="routing-decision" data-decision={routing.decision}>
            {translateValue(t, 'decision', routing.decision)}
          </span>
        </dd>
        <dt>{t('routing.reason')}</dt>
        <dd data-testid="routing-reason">{routing.reason}</dd>
        <dt>{t('routing.strategy')}</dt>
        <dd className="mono">{routing.strategy}</dd>
      </dl>
      {routing.candidates.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="routing-candidates">
            <thead>
              <tr>
                <th>{t('orders.location')}</th>
                <th className="num">{t('routing.distance')}</th>
                <th>{t('routing.canFulfil')}</th>
                <th>{t('routing.whyNot')}</th>
              </tr>
            </thead>
            <tbody>
              {routing.candidates.map((c) => (
                <tr key={c.location_id} className={c.can_fulfil ? '' : 'muted-row'} data-testid="candidate-row" data-location={c.location_id}>
                  <td>{locationLabel(byId, c.location_id, lang)}</td>
                  <td className="num">{c.distance_km === null ? t('common.none') : t('stores.km', { km: c.distance_km })}</td>
                  <td>{c.can_fulfil ? <span className="yes">✓ {t('common.yes')}</span> : <span className="no">✗ {t('common.no')}</span>}</td>
                  <td className="small">{c.why_not ?? t('common.none')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
