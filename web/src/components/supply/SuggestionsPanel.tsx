import { useState } from 'react';
import type { Answer } from '../../contract';
import { formatInt, formatPercent } from '../../format';
import { useAction, useResource } from '../../hooks';
import { useI18n, type MessageKey, type Translate } from '../../i18n';
import { locationLabel, useLocations } from '../../locations';
import { downloadCsv } from '../../marketing';
import { can, useMe } from '../../me';
import { useApi, useSession } from '../../session';
import { Panel } from '../PageHeader';
import { ActionError, Empty, ErrorMessage, Loading } from '../Status';
import { useReloadOn } from './reload';
import { SkuLink } from './SkuLink';

type Suggestions = Answer<'/v1/replenishment/suggestions'>;
type Suggestion = Suggestions['items'][number];
type Transfer = Answer<'/v1/transfers/{id}'>;

function reasonText(t: Translate, s: Suggestion): string {
  return t(`supply.reason.${s.reason}` as MessageKey, {
    position: formatInt(s.position),
    reorder: formatInt(s.reorder_point),
    qty: formatInt(s.suggested_qty),
    pack: formatInt(s.case_pack),
  });
}

/**
 * One store's (or DC's) suggested orders with the reason in words: a store accepts them as a
 * transfer from its DC, a DC downloads them as a purchase request. A product's name opens its
 * forecast. `version` changes when transfers moved elsewhere on the page (positions changed).
 */
export function SuggestionsPanel({
  locationId,
  version,
  onAccepted,
}: {
  locationId: string;
  version: number;
  onAccepted: () => void;
}) {
  const { t, lang } = useI18n();
  const api = useApi();
  const me = useMe();
  const { key } = useSession();
  const { byId } = useLocations();
  const suggestions = useResource<Suggestions>('/v1/replenishment/suggestions', { location_id: locationId });
  const { reload } = suggestions;
  useReloadOn(version, reload);
  const action = useAction();
  const [accepted, setAccepted] = useState<string | null>(null);
  const s = suggestions.data;
  const accepts = s?.action === 'transfer' && can(me, 'writeTransfers');

  const request = async (items: Suggestion[]) => {
    if (!s) return;
    const body = {
      from_location_id: s.source_id,
      to_location_id: locationId,
      origin: 'replenishment' as const,
      lines: items.map((i) => ({ sku: i.sku, qty: i.suggested_qty })),
    };
    const made = await action.run(() =>
      api.post<Transfer>('/v1/transfers', body, { idempotencyKey: `repl-${crypto.randomUUID()}` }),
    );
    if (made) {
      setAccepted(made.id);
      onAccepted();
    }
  };

  return (
    <Panel title={t('supply.suggestions')} testId="suggestions">
      {suggestions.error && <ErrorMessage error={suggestions.error} onRetry={reload} />}
      {!s && suggestions.loading && <Loading />}
      {s && (
        <p className="muted small" data-testid="supply-hint">
          {t('supply.suggestionsHint', {
            days: s.lead_time_days + s.review_period_days,
            level: formatPercent(s.service_level),
            source: s.source_id === 'supplier' ? t('supply.supplier') : locationLabel(byId, s.source_id, lang),
            action: t(`supply.action.${s.action}`),
          })}
        </p>
      )}
      {accepted && (
        <p className="status status-ok" data-testid="supply-accepted">
          {t('supply.accepted', { id: accepted })}
        </p>
      )}
      <ActionError error={action.error} />
      {s && s.items.length === 0 && <Empty />}
      {s && s.items.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="table" data-testid="supply-table">
              <thead>
                <tr>
                  <th>{t('supply.sku')}</th>
                  <th className="num">{t('supply.onHand')}</th>
                  <th className="num">{t('supply.reserved')}</th>
                  <th className="num">{t('supply.inTransit')}</th>
                  <th className="num">{t('supply.onOrder')}</th>
                  <th className="num">{t('supply.forecast')}</th>
                  <th className="num">{t('supply.safetyStock')}</th>
                  <th className="num">{t('supply.reorderPoint')}</th>
                  <th className="num">{t('supply.suggested')}</th>
                  <th>{t('supply.reason')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {s.items.map((i) => (
                  <tr key={i.sku} data-testid="supply-row">
                    <td>
                      <SkuLink sku={i.sku} name={i.name} locationId={locationId} />
                    </td>
                    <td className="num">{formatInt(i.on_hand)}</td>
                    <td className="num">{formatInt(i.reserved)}</td>
                    <td className="num">{formatInt(i.in_transit)}</td>
                    <td className="num">{formatInt(i.on_order)}</td>
                    <td className="num">{i.forecast ? i.forecast.mean.toFixed(1) : '—'}</td>
                    <td className="num">{formatInt(i.safety_stock)}</td>
                    <td className="num">{formatInt(i.reorder_point)}</td>
                    <td className="num">
                      <strong>{formatInt(i.suggested_qty)}</strong>
                    </td>
                    <td className="small">{reasonText(t, i)}</td>
                    <td>
                      {accepts && (
                        <button
                          className="btn btn-small"
                          disabled={action.busy}
                          onClick={() => void request([i])}
                          data-testid="supply-accept"
                        >
                          {t('supply.accept')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="form-buttons">
            {accepts && (
              <button className="btn" disabled={action.busy} onClick={() => void request(s.items)}>
                {t('supply.acceptAll')}
              </button>
            )}
            {key && (
              <button
                className="btn"
                disabled={action.busy}
                onClick={() =>
                  void action.run(() =>
                    downloadCsv(
                      key,
                      `/v1/replenishment/suggestions?location_id=${encodeURIComponent(locationId)}`,
                      `purchase-request-${locationId}.csv`,
                    ),
                  )
                }
                data-testid="supply-csv"
              >
                {t('supply.csv')}
              </button>
            )}
          </div>
        </>
      )}
    </Panel>
  );
}
