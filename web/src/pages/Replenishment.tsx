import { useState } from 'react';
import { authOf } from '../api';
import type { Answer } from '../contract';
import { PageHeader, Panel } from '../components/PageHeader';
import { ActionError, Empty, ErrorMessage, Loading } from '../components/Status';
import { formatDateTime, formatInt, formatPercent } from '../format';
import { useAction, useResource } from '../hooks';
import { useI18n, type MessageKey, type Translate } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { boundLocation, useMe } from '../me';
import { navigate } from '../router';
import { useApi, useSession } from '../session';

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

/** The purchase request as the API writes it (Accept: text/csv), saved as a file. */
async function downloadCsv(key: string, locationId: string): Promise<void> {
  const auth = authOf(key);
  const res = await fetch(`/v1/replenishment/suggestions?location_id=${encodeURIComponent(locationId)}`, {
    headers: { ...auth.headers, accept: 'text/csv' },
    credentials: auth.credentials,
  });
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `purchase-request-${locationId}.csv`;
  a.click();
  URL.revokeObjectURL(url);
}

/**
 * 补货调拨: one store's (or DC's) suggested orders with the reason in words; a store accepts them
 * as a transfer from its DC, a DC downloads them as a purchase request; then the transfers of the
 * location with their states and the step each side may take. #/replenishment/<location id>.
 */
export function Replenishment({ selected }: { selected: string | null }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const api = useApi();
  const { key } = useSession();
  const { list, byId } = useLocations();
  const locationId = boundLocation(me) ?? selected ?? list.find((l) => l.type === 'store')?.id ?? null;
  const suggestions = useResource<Suggestions>(locationId ? '/v1/replenishment/suggestions' : null, {
    location_id: locationId ?? '',
  });
  const transfers = useResource<{ items: Transfer[] }>(locationId ? '/v1/transfers' : null, {
    location_id: locationId ?? '',
  });
  const action = useAction();
  const [accepted, setAccepted] = useState<string | null>(null);
  const s = suggestions.data;

  const request = async (items: Suggestion[]) => {
    if (!s || !locationId) return;
    const body = {
      from_location_id: s.source_id,
      to_location_id: locationId,
      origin: 'replenishment',
      lines: items.map((i) => ({ sku: i.sku, qty: i.suggested_qty })),
    };
    const made = await action.run(() =>
      api.post<Transfer>('/v1/transfers', body, { idempotencyKey: `repl-${crypto.randomUUID()}` }),
    );
    if (made) {
      setAccepted(made.id);
      suggestions.reload();
      transfers.reload();
    }
  };
  const step = async (tr: Transfer, name: 'ship' | 'receive' | 'cancel') => {
    const done = await action.run(() =>
      api.post<Transfer>(`/v1/transfers/${tr.id}/${name}`, undefined, { idempotencyKey: `${name}-${tr.id}` }),
    );
    if (done) {
      transfers.reload();
      suggestions.reload();
    }
  };
  const staffAt = boundLocation(me);
  const mayAct = (side: string) => staffAt === null || staffAt === side;

  return (
    <div data-testid="replenishment">
      <PageHeader
        title={t('supply.title')}
        actions={
          !staffAt && (
            <label className="inline">
              {t('supply.location')}{' '}
              <select
                value={locationId ?? ''}
                onChange={(e) => navigate('replenishment', e.target.value)}
                data-testid="supply-location"
              >
                {list.map((l) => (
                  <option key={l.id} value={l.id}>
                    {locationLabel(byId, l.id, lang)}
                  </option>
                ))}
              </select>
            </label>
          )
        }
      />
      <Panel title={t('supply.suggestions')}>
        {suggestions.error && <ErrorMessage error={suggestions.error} onRetry={suggestions.reload} />}
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
          <p className="ok" data-testid="supply-accepted">
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
                        {i.name} <span className="mono muted small">{i.sku}</span>
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
                        {s.action === 'transfer' && (
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
            <div className="actions">
              {s.action === 'transfer' && (
                <button className="btn" disabled={action.busy} onClick={() => void request(s.items)}>
                  {t('supply.acceptAll')}
                </button>
              )}
              {locationId && key && (
                <button className="btn" onClick={() => void downloadCsv(key, locationId)} data-testid="supply-csv">
                  {t('supply.csv')}
                </button>
              )}
            </div>
          </>
        )}
      </Panel>
      <Panel title={t('supply.transfers')}>
        {transfers.error && <ErrorMessage error={transfers.error} onRetry={transfers.reload} />}
        {!transfers.data && transfers.loading && <Loading />}
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
                      {tr.status === 'requested' && (
                        <button
                          className="btn btn-small"
                          disabled={action.busy}
                          onClick={() => void step(tr, 'cancel')}
                        >
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
    </div>
  );
}
