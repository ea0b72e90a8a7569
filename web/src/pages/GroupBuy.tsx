import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { CsvButton } from '../components/CsvButton';
import { PageHeader, Panel } from '../components/PageHeader';
import { ActionError, Empty, ErrorMessage, Loading } from '../components/Status';
import type { Answer } from '../contract';
import { formatDateTime, formatFen, formatInt } from '../format';
import { useAction, useResource } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { boundLocation, can, useMe } from '../me';
import { href, navigate } from '../router';
import { useApi } from '../session';

/** 社区团购: campaigns (create, live sales per item and pickup point), leaders, a store's pickup list. */
type Campaigns = Answer<'/v1/group-buy/campaigns'>;
type Campaign = Answer<'/v1/group-buy/campaigns/{id}'>;
type Leaders = Answer<'/v1/group-buy/leaders'>;
type Pickups = Answer<'/v1/group-buy/pickups'>;

const yuanToFen = (v: string) => Math.round(Number(v) * 100);
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const today = () => localInput(new Date()).slice(0, 10);

function NewCampaign({ onCreated }: { onCreated: (id: string) => void }) {
  const { t, lang } = useI18n();
  const api = useApi();
  const action = useAction();
  const { list } = useLocations();
  const [idempotencyKey] = useState(() => `gbc-${crypto.randomUUID()}`);
  const tomorrow = new Date(Date.now() + 86_400_000);
  const [f, setF] = useState({
    title: '',
    sku: '',
    price: '',
    total: '',
    perCustomer: '',
    opens: localInput(new Date()),
    cutoff: localInput(tomorrow),
    pickup: localInput(new Date(Date.now() + 2 * 86_400_000)).slice(0, 10),
    source: '',
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const sources = list.filter((l) => l.type === 'dc' || l.type === 'store');
  async function submit(e: FormEvent) {
    e.preventDefault();
    const created = await action.run(() =>
      api.post<Campaign>(
        '/v1/group-buy/campaigns',
        {
          title: f.title,
          items: [
            {
              sku: f.sku,
              price: yuanToFen(f.price),
              ...(f.total && { total_limit: Number(f.total) }),
              ...(f.perCustomer && { per_customer_limit: Number(f.perCustomer) }),
            },
          ],
          opens_at: new Date(f.opens).toISOString(),
          cutoff_at: new Date(f.cutoff).toISOString(),
          pickup_date: f.pickup,
          source_location_id: f.source || sources[0]?.id,
        },
        { idempotencyKey },
      ),
    );
    if (created) onCreated(created.id);
  }
  return (
    <form className="form-row" onSubmit={(e) => void submit(e)} noValidate data-testid="gb-new-campaign">
      <label className="field">
        <span>{t('gb.campaignTitle')}</span>
        <input value={f.title} maxLength={120} onChange={set('title')} data-testid="gb-title" />
      </label>
      <label className="field">
        <span>{t('gb.sku')}</span>
        <input value={f.sku} maxLength={64} onChange={set('sku')} data-testid="gb-sku" />
      </label>
      <label className="field">
        <span>{t('gb.price')}</span>
        <input value={f.price} inputMode="decimal" onChange={set('price')} data-testid="gb-price" />
      </label>
      <label className="field">
        <span>{t('gb.totalLimit')}</span>
        <input value={f.total} inputMode="numeric" onChange={set('total')} data-testid="gb-total" />
      </label>
      <label className="field">
        <span>{t('gb.perCustomer')}</span>
        <input value={f.perCustomer} inputMode="numeric" onChange={set('perCustomer')} data-testid="gb-per-customer" />
      </label>
      <label className="field">
        <span>{t('gb.opensAt')}</span>
        <input type="datetime-local" value={f.opens} onChange={set('opens')} data-testid="gb-opens" />
      </label>
      <label className="field">
        <span>{t('gb.cutoffAt')}</span>
        <input type="datetime-local" value={f.cutoff} onChange={set('cutoff')} data-testid="gb-cutoff" />
      </label>
      <label className="field">
        <span>{t('gb.pickupDate')}</span>
        <input type="date" value={f.pickup} onChange={set('pickup')} data-testid="gb-pickup" />
      </label>
      <label className="field">
        <span>{t('gb.source')}</span>
        <select value={f.source || sources[0]?.id || ''} onChange={set('source')} data-testid="gb-source">
          {sources.map((l) => (
            <option key={l.id} value={l.id}>
              {locationLabel(new Map([[l.id, l]]), l.id, lang)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="gb-create">
        {t('gb.create')}
      </button>
      <ActionError error={action.error} testId="gb-create-error" />
    </form>
  );
}

/** onChanged: after its cutoff or a receipt, so the campaign list shows the new status. */
function CampaignDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const api = useApi();
  const me = useMe();
  const action = useAction();
  const { byId } = useLocations();
  const { data, error, loading, reload } = useResource<Campaign>(`/v1/group-buy/campaigns/${encodeURIComponent(id)}`);
  const mine = boundLocation(me);
  async function ship() {
    if (await action.run(() => api.post(`/v1/group-buy/campaigns/${encodeURIComponent(id)}/ship`, {}))) {
      reload();
      onChanged();
    }
  }
  async function receive(location_id: string) {
    const done = await action.run(() =>
      api.post(
        `/v1/group-buy/campaigns/${encodeURIComponent(id)}/receipts`,
        { location_id },
        { idempotencyKey: `gbr-${id}-${location_id}` },
      ),
    );
    if (done) reload();
  }
  if (error) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data) return loading ? <Loading /> : null;
  return (
    <Panel
      title={`${data.title} · ${translateValue(t, 'gb.status', data.status)}`}
      hint={t('gb.campaignHint', {
        cutoff: formatDateTime(data.cutoff_at, lang),
        pickup: data.pickup_date,
        source: locationLabel(byId, data.source_location_id, lang),
      })}
      className="detail"
      testId="gb-campaign"
      actions={
        me?.role === 'admin' && data.status !== 'shipped' ? (
          <button
            type="button"
            className="btn"
            disabled={action.busy}
            onClick={() => void ship()}
            data-testid="gb-ship"
          >
            {t('gb.shipNow')}
          </button>
        ) : undefined
      }
    >
      <ActionError error={action.error} testId="gb-action-error" />
      <div className="table-wrap">
        <table className="table" data-testid="gb-items">
          <thead>
            <tr>
              <th>{t('gb.product')}</th>
              <th className="num">{t('gb.price')}</th>
              <th className="num">{t('gb.sold')}</th>
              <th className="num">{t('gb.perCustomer')}</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((i) => (
              <tr key={i.sku} data-testid={`gb-item-${i.sku}`}>
                <td>
                  {i.product_name ?? i.sku} <small className="muted mono">{i.sku}</small>
                </td>
                <td className="num">{formatFen(i.price)}</td>
                <td className="num" data-testid={`gb-sold-${i.sku}`}>
                  {formatInt(i.sold)} / {i.total_limit === null ? '∞' : formatInt(i.total_limit)}
                </td>
                <td className="num">{i.per_customer_limit === null ? '—' : formatInt(i.per_customer_limit)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>{t('gb.points')}</h3>
      {data.points.length === 0 ? (
        <Empty />
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="gb-points">
            <thead>
              <tr>
                <th>{t('gb.point')}</th>
                <th className="num">{t('gb.orders')}</th>
                <th className="num">{t('gb.units')}</th>
                <th className="num">{t('gb.sales')}</th>
                <th>{t('gb.shipment')}</th>
              </tr>
            </thead>
            <tbody>
              {data.points.map((p) => (
                <tr key={p.location_id} data-testid={`gb-point-${p.location_id}`}>
                  <td>{locationLabel(byId, p.location_id, lang)}</td>
                  <td className="num">{formatInt(p.orders)}</td>
                  <td className="num">{formatInt(p.units)}</td>
                  <td className="num">{formatFen(p.sales)}</td>
                  <td>
                    {!p.shipment && t('gb.notShipped')}
                    {p.shipment?.received_at && t('gb.received', { at: formatDateTime(p.shipment.received_at, lang) })}
                    {p.shipment && !p.shipment.received_at && (
                      <>
                        {t('gb.inTransit')}{' '}
                        {(me?.role === 'admin' || mine === p.location_id) && (
                          <button
                            type="button"
                            className="btn btn-small"
                            disabled={action.busy}
                            onClick={() => void receive(p.location_id)}
                            data-testid={`gb-receive-${p.location_id}`}
                          >
                            {t('gb.receive')}
                          </button>
                        )}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data.share_links.length > 0 && (
        <>
          <h3>{t('gb.shareLinks')}</h3>
          <ul data-testid="gb-share-links">
            {data.share_links.map((l) => (
              <li key={l.leader_id}>
                {l.display_name}:{' '}
                <a
                  href={l.url}
                  target="_blank"
                  rel="noopener noreferrer"
                  className="mono small"
                  style={{ overflowWrap: 'anywhere' }}
                  data-testid={`gb-share-${l.leader_id}`}
                >
                  {l.url}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </Panel>
  );
}

/** changes: bumped when the selected campaign changed (shipped), to load the list again. */
function CampaignList({ selected, changes }: { selected: string | null; changes: number }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const [creating, setCreating] = useState(false);
  const { data, error, loading, reload } = useResource<Campaigns>('/v1/group-buy/campaigns');
  useEffect(() => {
    if (changes > 0) reload();
  }, [changes, reload]);
  return (
    <Panel
      title={t('gb.campaigns')}
      testId="gb-campaigns"
      actions={
        me && ['admin', 'marketer'].includes(me.role) ? (
          <button type="button" className="btn" onClick={() => setCreating(!creating)} data-testid="gb-new">
            {t('gb.new')}
          </button>
        ) : undefined
      }
    >
      {creating && (
        <NewCampaign
          onCreated={(id) => {
            setCreating(false);
            reload();
            navigate('groupbuy', id);
          }}
        />
      )}
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && loading && <Loading />}
      {data && data.items.length === 0 && <Empty />}
      {data && data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{t('gb.campaignTitle')}</th>
                <th>{t('gb.statusLabel')}</th>
                <th>{t('gb.cutoffAt')}</th>
                <th>{t('gb.pickupDate')}</th>
                <th className="num">{t('gb.orders')}</th>
                <th className="num">{t('gb.sales')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((c) => (
                <tr key={c.id} className={c.id === selected ? 'selected' : ''} data-testid={`gb-row-${c.id}`}>
                  <td>
                    <a href={href('groupbuy', c.id)}>{c.title}</a>
                  </td>
                  <td>{translateValue(t, 'gb.status', c.status)}</td>
                  <td>{formatDateTime(c.cutoff_at, lang)}</td>
                  <td>{c.pickup_date}</td>
                  <td className="num">{formatInt(c.orders)}</td>
                  <td className="num">{formatFen(c.sales)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function LeaderList() {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const { data, error, loading, reload } = useResource<Leaders>('/v1/group-buy/leaders');
  return (
    <Panel title={t('gb.leaders')} hint={t('gb.leadersHint')} testId="gb-leaders">
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && loading && <Loading />}
      {data && data.items.length === 0 && <Empty />}
      {data && data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{t('gb.leader')}</th>
                <th>{t('gb.point')}</th>
                <th className="num">{t('gb.commission')}</th>
                <th>{t('gb.statusLabel')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((l) => (
                <tr key={l.id} data-testid={`gb-leader-${l.id}`}>
                  <td>{l.display_name}</td>
                  <td>{locationLabel(byId, l.location_id, lang)}</td>
                  <td className="num">{l.commission_percent}%</td>
                  <td>{translateValue(t, 'gb.leaderStatus', l.status)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function PickupList() {
  const { t, lang } = useI18n();
  const me = useMe();
  const { list, byId } = useLocations();
  const stores = list.filter((l) => l.type === 'store');
  const bound = boundLocation(me);
  const [location, setLocation] = useState(bound ?? '');
  const [date, setDate] = useState(today());
  const at = bound ?? (location || stores[0]?.id || '');
  const query = { location_id: at, date };
  const { data, error, loading, reload } = useResource<Pickups>(at ? '/v1/group-buy/pickups' : null, query);
  return (
    <Panel
      title={t('gb.pickups', { store: locationLabel(byId, at, lang) })}
      hint={t('gb.pickupsHint')}
      testId="gb-pickups"
      actions={
        at ? (
          <CsvButton
            path={`/v1/group-buy/pickups?location_id=${encodeURIComponent(at)}&date=${date}`}
            filename={`pickups-${at}-${date}.csv`}
            testId="gb-pickups-csv"
            label={t('gb.downloadCsv')}
          />
        ) : undefined
      }
    >
      <div className="form-row">
        {!bound && (
          <label className="field">
            <span>{t('gb.point')}</span>
            <select value={at} onChange={(e) => setLocation(e.target.value)} data-testid="gb-pickups-location">
              {stores.map((l) => (
                <option key={l.id} value={l.id}>
                  {locationLabel(byId, l.id, lang)}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="field">
          <span>{t('gb.pickupDate')}</span>
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} data-testid="gb-pickups-date" />
        </label>
      </div>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && loading && <Loading />}
      {data && data.items.length === 0 && <Empty />}
      {data && data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="gb-pickups-table">
            <thead>
              <tr>
                <th>{t('gb.order')}</th>
                <th>{t('gb.customer')}</th>
                <th>{t('gb.goods')}</th>
                <th>{t('gb.statusLabel')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((p) => (
                <tr key={p.order_id} data-testid={`gb-pickup-${p.order_id}`}>
                  <td className="mono small">
                    <a href={href('orders', p.order_id)}>{p.order_id}</a>
                  </td>
                  <td>{p.customer_name ?? p.customer_id}</td>
                  <td>{p.lines.map((l) => `${l.product_name ?? l.sku} × ${l.qty}`).join('，')}</td>
                  <td>{translateValue(t, 'status', p.status)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

export function GroupBuy({ selected }: { selected: string | null }) {
  const { t } = useI18n();
  const me = useMe();
  const [changes, setChanges] = useState(0);
  const changed = useCallback(() => setChanges((n) => n + 1), []);
  return (
    <>
      <PageHeader title={t('gb.title')} subtitle={t('gb.subtitle')} />
      <div className={'master-detail' + (selected ? ' has-detail' : '')}>
        <CampaignList selected={selected} changes={changes} />
        {selected && <CampaignDetail key={selected} id={selected} onChanged={changed} />}
      </div>
      {can(me, 'readGroupBuyPickups') && <PickupList />}
      <LeaderList />
    </>
  );
}
