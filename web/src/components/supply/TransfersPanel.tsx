import type { Answer } from '../../contract';
import { formatDateTime, formatInt } from '../../format';
import { useAction, useResource } from '../../hooks';
import { translateValue, useI18n } from '../../i18n';
import { locationLabel, useLocations } from '../../locations';
import { boundLocation, can, useMe } from '../../me';
import { useApi } from '../../session';
import { Panel } from '../PageHeader';
import { ActionError, Empty, ErrorMessage, Loading } from '../Status';
import { useReloadOn } from './reload';

type Transfer = Answer<'/v1/transfers/{id}'>;

/**
 * A location's transfers (调拨单), newest first, with their state and the step each side may take:
 * the source ships, the destination receives, either cancels a request. It reloads when `version`
 * moves on, as after each of its own steps (`onStep`: positions changed).
 */
export function TransfersPanel({
  locationId,
  version,
  onStep,
}: {
  locationId: string;
  version: number;
  onStep: () => void;
}) {
  const { t, lang } = useI18n();
  const api = useApi();
  const me = useMe();
  const { byId } = useLocations();
  const transfers = useResource<{ items: Transfer[] }>('/v1/transfers', { location_id: locationId });
  const action = useAction();
  const { reload } = transfers;
  useReloadOn(version, reload);

  const step = async (tr: Transfer, name: 'ship' | 'receive' | 'cancel') => {
    const done = await action.run(() =>
      api.post<Transfer>(`/v1/transfers/${tr.id}/${name}`, undefined, { idempotencyKey: `${name}-${tr.id}` }),
    );
    if (done) onStep();
  };
  const staffAt = boundLocation(me);
  const writes = can(me, 'writeTransfers');
  const mayAct = (side: string) => writes && (staffAt === null || staffAt === side);

  return (
    <Panel title={t('supply.transfers')} testId="transfers">
      {transfers.error && <ErrorMessage error={transfers.error} onRetry={reload} />}
      {!transfers.data && transfers.loading && <Loading />}
      <ActionError error={action.error} />
      {transfers.data && transfers.data.items.length === 0 && <Empty />}
      {transfers.data && transfers.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="transfers-table">
            <thead>
              <tr>
                <th>{t('supply.requestedAt')}</th>
                <th>{t('supply.from')}</th>
                <th>{t('supply.to')}</th>
                <th>{t('supply.lines')}</th>
                <th>{t('supply.origin')}</th>
                <th>{t('supply.status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {transfers.data.items.map((tr) => (
                <tr key={tr.id} data-testid="transfer-row" data-status={tr.status}>
                  <td className="nowrap">{formatDateTime(tr.requested_at, lang)}</td>
                  <td>{locationLabel(byId, tr.from_location_id, lang)}</td>
                  <td>{locationLabel(byId, tr.to_location_id, lang)}</td>
                  <td className="small">
                    {tr.lines.map((l) => `${l.name ?? l.sku} × ${formatInt(l.qty)}`).join('、')}
                  </td>
                  <td className="small">{translateValue(t, 'supply.origin', tr.origin)}</td>
                  <td data-testid="transfer-status">{t(`supply.status.${tr.status}`)}</td>
                  <td className="nowrap">
                    {tr.status === 'requested' && mayAct(tr.from_location_id) && (
                      <button
                        className="btn btn-small"
                        disabled={action.busy}
                        onClick={() => void step(tr, 'ship')}
                        data-testid="transfer-ship"
                      >
                        {t('supply.ship')}
                      </button>
                    )}
                    {tr.status === 'shipped' && mayAct(tr.to_location_id) && (
                      <button
                        className="btn btn-small"
                        disabled={action.busy}
                        onClick={() => void step(tr, 'receive')}
                        data-testid="transfer-receive"
                      >
                        {t('supply.receive')}
                      </button>
                    )}
                    {tr.status === 'requested' && writes && (
                      <button className="btn btn-small" disabled={action.busy} onClick={() => void step(tr, 'cancel')}>
                        {t('supply.cancel')}
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
