import { useState } from 'react';
import type { Answer } from '../../contract';
import { formatInt } from '../../format';
import { useAction, useResource } from '../../hooks';
import { useI18n } from '../../i18n';
import { locationLabel, useLocations } from '../../locations';
import { can, useMe } from '../../me';
import { useApi } from '../../session';
import { Panel } from '../PageHeader';
import { ActionError, Empty, ErrorMessage, Loading } from '../Status';
import { useReloadOn } from './reload';
import { SkuLink } from './SkuLink';

type Moves = Answer<'/v1/replenishment/transfer-suggestions'>;
type Move = Moves['items'][number];
type Transfer = Answer<'/v1/transfers/{id}'>;

/**
 * 门店间调拨建议: stores that will run out within their lead time, paired with nearby stores that
 * hold more cover than they need; accepting one requests the store-to-store transfer.
 */
export function RebalancePanel({
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
  const { byId } = useLocations();
  const moves = useResource<Moves>('/v1/replenishment/transfer-suggestions', { location_id: locationId });
  useReloadOn(version, moves.reload);
  const action = useAction();
  const [accepted, setAccepted] = useState<string | null>(null);
  const m = moves.data;

  const accept = async (mv: Move) => {
    const body = {
      from_location_id: mv.from_location_id,
      to_location_id: mv.to_location_id,
      origin: 'rebalance' as const,
      lines: [{ sku: mv.sku, qty: mv.qty }],
    };
    const made = await action.run(() =>
      api.post<Transfer>('/v1/transfers', body, { idempotencyKey: `rebalance-${crypto.randomUUID()}` }),
    );
    if (made) {
      setAccepted(made.id);
      onAccepted();
    }
  };

  return (
    <Panel
      title={t('rb.title')}
      hint={m ? t('rb.hint', { days: m.donor_cover_days, km: m.max_km }) : undefined}
      testId="rebalance"
    >
      {moves.error && <ErrorMessage error={moves.error} onRetry={moves.reload} />}
      {!m && moves.loading && <Loading />}
      {accepted && (
        <p className="status status-ok" data-testid="rebalance-accepted">
          {t('supply.accepted', { id: accepted })}
        </p>
      )}
      <ActionError error={action.error} />
      {m && m.items.length === 0 && <Empty />}
      {m && m.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="rebalance-table">
            <thead>
              <tr>
                <th>{t('supply.sku')}</th>
                <th>{t('supply.from')}</th>
                <th>{t('supply.to')}</th>
                <th className="num">{t('rb.km')}</th>
                <th className="num">{t('rb.qty')}</th>
                <th>{t('supply.reason')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {m.items.map((mv) => (
                <tr key={`${mv.sku}|${mv.from_location_id}|${mv.to_location_id}`} data-testid="rebalance-row">
                  <td>
                    <SkuLink sku={mv.sku} name={mv.name} locationId={mv.to_location_id} />
                  </td>
                  <td>{locationLabel(byId, mv.from_location_id, lang)}</td>
                  <td>{locationLabel(byId, mv.to_location_id, lang)}</td>
                  <td className="num">{mv.km.toFixed(1)}</td>
                  <td className="num">
                    <strong>{formatInt(mv.qty)}</strong>
                  </td>
                  <td className="small">
                    {t('rb.reason', {
                      position: formatInt(mv.to_position),
                      demand: mv.to_lead_time_demand.toFixed(1),
                      cover:
                        mv.from_cover_days === null
                          ? t('rb.noDemand')
                          : t('rb.days', { n: Math.round(mv.from_cover_days) }),
                    })}
                  </td>
                  <td>
                    {can(me, 'writeTransfers') && (
                      <button
                        className="btn btn-small"
                        disabled={action.busy}
                        onClick={() => void accept(mv)}
                        data-testid="rebalance-accept"
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
      )}
    </Panel>
  );
}
