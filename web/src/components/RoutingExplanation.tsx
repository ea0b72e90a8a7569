import type { Location, Routing, RoutingParams as Params } from '../api';
import { translateValue, useI18n, type Lang, type MessageKey, type Translate } from '../i18n';
import { zhCN } from '../i18n/zh-CN';
import { locationLabel, useLocations } from '../locations';

/**
 * A routing explanation in the console's language, from its code and values
 * (routing.reason.<code>, routing.whyNot.<code>); the API's English text when there is no code or
 * the console does not know it. Location ids are named, speeds translated.
 */
function worded(
  t: Translate,
  lang: Lang,
  byId: Map<string, Location>,
  prefix: 'routing.reason' | 'routing.whyNot',
  code: string | undefined,
  params: Params | undefined,
  english: string,
): string {
  if (!code) return english;
  const key = `${prefix}.${code}`;
  if (!(key in zhCN)) return english;
  const vars: Params = { ...params };
  if (typeof vars.location === 'string') vars.location = locationLabel(byId, vars.location, lang);
  if (typeof vars.speed === 'string') vars.speed = translateValue(t, 'speed', vars.speed);
  return t(key as MessageKey, vars);
}

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
        <dd data-testid="routing-reason" data-code={routing.reason_code ?? ''}>
          {worded(t, lang, byId, 'routing.reason', routing.reason_code, routing.reason_params, routing.reason)}
        </dd>
        <dt>{t('routing.strategy')}</dt>
        <dd title={routing.strategy}>{translateValue(t, 'strategy', routing.strategy)}</dd>
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
                <tr
                  key={c.location_id}
                  className={c.can_fulfil ? '' : 'muted-row'}
                  data-testid="candidate-row"
                  data-location={c.location_id}
                >
                  <td>{locationLabel(byId, c.location_id, lang)}</td>
                  <td className="num">
                    {c.distance_km === null ? t('common.none') : t('stores.km', { km: c.distance_km })}
                  </td>
                  <td>
                    {c.can_fulfil ? (
                      <span className="yes">✓ {t('common.yes')}</span>
                    ) : (
                      <span className="no">✗ {t('common.no')}</span>
                    )}
                  </td>
                  <td className="small" data-testid="candidate-why-not" data-code={c.why_not_code ?? ''}>
                    {c.why_not === undefined
                      ? t('common.none')
                      : worded(t, lang, byId, 'routing.whyNot', c.why_not_code, c.why_not_params, c.why_not)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
