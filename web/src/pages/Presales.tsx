import { useMemo, useState, type FormEvent } from 'react';
import { EChart, type ChartOption } from '../components/EChart';
import { PageHeader, Panel } from '../components/PageHeader';
import { ActionError, Empty, ErrorMessage, Loading } from '../components/Status';
import type { Answer } from '../contract';
import { formatDateTime, formatFen, formatInt, localName } from '../format';
import { useAction, useResource } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { boundLocation, useMe } from '../me';
import { href, navigate } from '../router';
import { useApi } from '../session';
import { PAYMENT_METHODS, type PaymentMethod } from '../till';

type Presale = Answer<'/v1/presales/{id}'>;
type Demand = Answer<'/v1/presales/{id}/demand'>;
type Invites = Answer<'/v1/presales/{id}/reservations'>;

const MARKETING_ROLES = ['admin', 'marketer'];
const RESERVING_ROLES = ['admin', 'support', 'store_staff'];
const CONVERTING_ROLES = ['admin', 'store_staff'];
const CANCELLING_ROLES = ['admin', 'support', 'store_staff'];
const CANCELLABLE = ['pending_payment', 'reserved'];

/** 新品预约: pre-sales with their demand per store (table and chart) and a store's reservations to invite. */
export function Presales({ selected }: { selected: string | null }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const list = useResource<{ items: Presale[] }>('/v1/presales', { limit: 100 });
  return (
    <>
      <PageHeader title={t('presale.title')} subtitle={t('presale.subtitle')} />
      {me && MARKETING_ROLES.includes(me.role) && (
        <CreatePresale onCreated={(id) => (list.reload(), navigate('presales', id))} />
      )}
      <Panel title={t('presale.list')} testId="presale-list">
        {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
        {!list.data && list.loading && <Loading />}
        {list.data && list.data.items.length === 0 && <p className="muted">{t('presale.none')}</p>}
        {list.data && list.data.items.length > 0 && (
          <div className="table-wrap">
            <table className="table table-hover" data-testid="presale-table">
              <thead>
                <tr>
                  <th>{t('presale.name')}</th>
                  <th>{t('presale.product')}</th>
                  <th>{t('presale.launchAt')}</th>
                  <th className="num">{t('presale.deposit')}</th>
                  <th>{t('presale.status')}</th>
                  <th className="num">{t('presale.reservations')}</th>
                  <th className="num">{t('presale.units')}</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((p) => (
                  <tr
                    key={p.id}
                    className={p.id === selected ? 'selected' : ''}
                    onClick={() => navigate('presales', p.id)}
                    data-testid={`presale-row-${p.id}`}
                  >
                    <td>
                      <a href={href('presales', p.id)}>{p.title}</a>
                    </td>
                    <td>{p.product_name ?? p.sku}</td>
                    <td className="nowrap">{formatDateTime(p.launch_at, lang)}</td>
                    <td className="num">{p.deposit > 0 ? formatFen(p.deposit) : '—'}</td>
                    <td>
                      <span className={'badge ' + (p.status === 'open' ? 'badge-ok' : 'badge-muted')}>
                        {translateValue(t, 'presale.status', p.status)}
                      </span>
                    </td>
                    <td className="num">{formatInt(p.reservations)}</td>
                    <td className="num">{formatInt(p.units)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
      {selected ? (
        <PresaleDetail key={selected} id={selected} onChanged={list.reload} />
      ) : (
        <p className="muted">{t('presale.select')}</p>
      )}
    </>
  );
}

function CreatePresale({ onCreated }: { onCreated: (id: string) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [form, setForm] = useState({ sku: '', title: '', launch: '', deposit: '', limit: '1' });
  // One key per form: a double click creates one pre-sale.
  const [idempotencyKey, setKey] = useState(() => crypto.randomUUID());
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = {
      sku: form.sku.trim(),
      title: form.title.trim(),
      launch_at: form.launch ? new Date(form.launch).toISOString() : '',
      per_customer_limit: Number(form.limit),
      ...(form.deposit ? { deposit: Math.round(Number(form.deposit) * 100) } : {}),
    };
    const done = await action.run(() => api.post<Presale>('/v1/presales', body, { idempotencyKey }));
    if (done) {
      setKey(crypto.randomUUID());
      onCreated(done.id);
    }
  }

  return (
    <Panel title={t('presale.create')} testId="presale-create">
      <form className="form-row" onSubmit={submit} noValidate>
        <label className="field">
          <span>{t('presale.sku')}</span>
          <input value={form.sku} onChange={set('sku')} data-testid="presale-sku" />
        </label>
        <label className="field">
          <span>{t('presale.titleField')}</span>
          <input value={form.title} onChange={set('title')} data-testid="presale-title" />
        </label>
        <label className="field">
          <span>{t('presale.launchAt')}</span>
          <input type="datetime-local" value={form.launch} onChange={set('launch')} data-testid="presale-launch" />
        </label>
        <label className="field">
          <span>{t('presale.depositYuan')}</span>
          <input
            type="number"
            min={0}
            step={0.01}
            value={form.deposit}
            onChange={set('deposit')}
            data-testid="presale-deposit"
          />
        </label>
        <label className="field">
          <span>{t('presale.limit')}</span>
          <input type="number" min={1} value={form.limit} onChange={set('limit')} data-testid="presale-limit" />
        </label>
        <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="presale-submit">
          {t('presale.create')}
        </button>
      </form>
      <ActionError error={action.error} testId="presale-create-error" />
    </Panel>
  );
}

function PresaleDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const api = useApi();
  const me = useMe();
  const path = `/v1/presales/${encodeURIComponent(id)}`;
  const presale = useResource<Presale>(path);
  const demand = useResource<Demand>(`${path}/demand`, { group_by: 'location' });
  const launch = useAction();
  const p = presale.data;

  async function doLaunch() {
    if (await launch.run(() => api.post<Presale>(`${path}/launch`, {}))) {
      presale.reload();
      onChanged();
    }
  }

  const option = useMemo<ChartOption | null>(() => {
    if (!demand.data || demand.data.items.length === 0) return null;
    const rows = demand.data.items;
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 64 },
      xAxis: {
        type: 'category',
        data: rows.map((r) => localName(r.location_name ?? r.location_id, lang)),
        axisLabel: { interval: 0, width: 96, overflow: 'truncate' },
      },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: t('presale.units'),
          type: 'bar',
          barMaxWidth: 48,
          data: rows.map((r) => r.units),
          itemStyle: { color: '#2e86ab' },
        },
      ],
    };
  }, [demand.data, lang, t]);

  if (presale.error) return <ErrorMessage error={presale.error} onRetry={presale.reload} />;
  if (!p) return <Loading />;
  return (
    <>
      <Panel
        title={t('presale.demand')}
        hint={`${p.title} · ${p.product_name ?? p.sku} · ${t('presale.launchAt')} ${formatDateTime(p.launch_at, lang)}`}
        testId="presale-demand"
        actions={
          me && MARKETING_ROLES.includes(me.role) && p.status === 'open' ? (
            <button
              type="button"
              className="btn"
              title={t('presale.launchHint')}
              disabled={launch.busy}
              onClick={() => void doLaunch()}
              data-testid="presale-launch-button"
            >
              {t('presale.launch')}
            </button>
          ) : (
            <span className="badge badge-muted" data-testid="presale-status">
              {translateValue(t, 'presale.status', p.status)}
            </span>
          )
        }
      >
        <ActionError error={launch.error} testId="presale-launch-error" />
        {demand.error && <ErrorMessage error={demand.error} onRetry={demand.reload} />}
        {!demand.data && demand.loading && <Loading />}
        {demand.data && demand.data.items.length === 0 && <Empty />}
        {demand.data && option && (
          <>
            <figure className="chart" title={t('presale.chart')}>
              <EChart option={option} height={260} testId="presale-chart" label={t('presale.chart')} />
            </figure>
            <div className="table-wrap">
              <table className="table" data-testid="presale-demand-table">
                <thead>
                  <tr>
                    <th>{t('presale.store')}</th>
                    <th className="num">{t('presale.reservations')}</th>
                    <th className="num">{t('presale.units')}</th>
                    <th className="num">{t('presale.pending')}</th>
                    <th className="num">{t('presale.depositsPaid')}</th>
                  </tr>
                </thead>
                <tbody>
                  {demand.data.items.map((r) => (
                    <tr key={r.location_id} data-testid={`presale-demand-${r.location_id}`}>
                      <td>{localName(r.location_name ?? r.location_id, lang)}</td>
                      <td className="num">{formatInt(r.reservations)}</td>
                      <td className="num">{formatInt(r.units)}</td>
                      <td className="num">{formatInt(r.pending_payment)}</td>
                      <td className="num">{formatFen(r.deposits_paid)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th>{t('presale.total')}</th>
                    <th className="num">{formatInt(demand.data.total_reservations)}</th>
                    <th className="num" data-testid="presale-total-units">
                      {formatInt(demand.data.total_units)}
                    </th>
                    <th />
                    <th />
                  </tr>
                </tfoot>
              </table>
            </div>
          </>
        )}
      </Panel>
      <StoreInvites
        presale={p}
        onChanged={() => {
          demand.reload();
          onChanged();
        }}
      />
    </>
  );
}

/** A store's reservations (store staff: their own store): whom to invite, reserving for a customer, converting at launch. */
function StoreInvites({ presale, onChanged }: { presale: Presale; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const api = useApi();
  const me = useMe();
  const { list: locations, byId } = useLocations();
  const bound = boundLocation(me);
  const [store, setStore] = useState('');
  const location = bound ?? store;
  const path = `/v1/presales/${encodeURIComponent(presale.id)}/reservations`;
  const invites = useResource<Invites>(
    me ? path : null,
    location ? { location_id: location, limit: 200 } : { limit: 200 },
  );
  const [phone, setPhone] = useState('');
  const [reserveAt, setReserveAt] = useState('');
  const reserve = useAction();
  const convert = useAction();
  const cancel = useAction();
  const [method, setMethod] = useState<PaymentMethod>('wechat_pay');
  const stores = locations.filter((l) => l.type === 'store');
  const role = me?.role ?? '';

  async function submit(e: FormEvent) {
    e.preventDefault();
    const at = bound ?? (reserveAt || location);
    const done = await reserve.run(() =>
      api.post(
        path,
        { customer: { type: 'phone', value: phone.trim() }, location_id: at },
        { idempotencyKey: `reserve-${presale.id}-${phone.trim()}` },
      ),
    );
    if (done) {
      setPhone('');
      invites.reload();
      onChanged();
    }
  }

  async function toOrder(reservationId: string) {
    const done = await convert.run(() =>
      api.post(
        `${path}/${reservationId}/convert`,
        { payment_method: method },
        { idempotencyKey: `convert-${reservationId}` },
      ),
    );
    if (done) {
      invites.reload();
      onChanged();
    }
  }

  async function cancelReservation(r: Invites['items'][number]) {
    const refund = r.paid_at ? t('presale.cancelRefund', { amount: formatFen(r.deposit) }) : '';
    if (!window.confirm(t('presale.cancelConfirm', { name: r.customer_name ?? r.phone_masked ?? '', refund }))) return;
    if (await cancel.run(() => api.post(`${path}/${r.id}/cancel`, {}, { idempotencyKey: `cancel-${r.id}` }))) {
      invites.reload();
      onChanged();
    }
  }

  return (
    <Panel
      title={t('presale.invites')}
      hint={t('presale.invitesHint')}
      testId="presale-invites"
      actions={
        !bound && (
          <label className="field-inline">
            {t('presale.store')}{' '}
            <select value={store} onChange={(e) => setStore(e.target.value)} data-testid="presale-store-filter">
              <option value="">{t('presale.allStores')}</option>
              {stores.map((l) => (
                <option key={l.id} value={l.id}>
                  {localName(l.name, lang)}
                </option>
              ))}
            </select>
          </label>
        )
      }
    >
      {RESERVING_ROLES.includes(role) && presale.status === 'open' && (
        <form className="form-row" onSubmit={submit} noValidate data-testid="presale-reserve-form">
          <label className="field">
            <span>{t('presale.reservePhone')}</span>
            <input value={phone} onChange={(e) => setPhone(e.target.value)} data-testid="presale-reserve-phone" />
          </label>
          {!bound && (
            <label className="field">
              <span>{t('presale.store')}</span>
              <select
                value={reserveAt || location}
                onChange={(e) => setReserveAt(e.target.value)}
                data-testid="presale-reserve-store"
              >
                <option value="" />
                {stores.map((l) => (
                  <option key={l.id} value={l.id}>
                    {localName(l.name, lang)}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="submit" className="btn btn-primary" disabled={reserve.busy} data-testid="presale-reserve">
            {t('presale.reserve')}
          </button>
        </form>
      )}
      {presale.status === 'launched' && CONVERTING_ROLES.includes(role) && (
        <label className="field-inline">
          {t('presale.payWith')}{' '}
          <select
            value={method}
            onChange={(e) => setMethod(e.target.value as PaymentMethod)}
            data-testid="presale-pay-method"
          >
            {PAYMENT_METHODS.map((m) => (
              <option key={m} value={m}>
                {translateValue(t, 'paymentMethod', m)}
              </option>
            ))}
          </select>
        </label>
      )}
      <ActionError error={reserve.error} testId="presale-reserve-error" />
      <ActionError error={convert.error} testId="presale-convert-error" />
      <ActionError error={cancel.error} testId="presale-cancel-error" />
      {invites.error && <ErrorMessage error={invites.error} onRetry={invites.reload} />}
      {!invites.data && invites.loading && <Loading />}
      {invites.data && invites.data.items.length === 0 && <Empty />}
      {invites.data && invites.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="presale-invite-table">
            <thead>
              <tr>
                <th>{t('presale.customer')}</th>
                <th>{t('presale.phone')}</th>
                <th>{t('presale.store')}</th>
                <th className="num">{t('presale.qty')}</th>
                <th>{t('presale.status')}</th>
                <th>{t('presale.reservedAt')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {invites.data.items.map((r) => (
                <tr key={r.id} data-testid={`presale-invite-${r.id}`}>
                  <td>
                    <a href={href('customers', r.customer_id)}>{r.customer_name ?? t('presale.noName')}</a>
                  </td>
                  <td className="mono small">{r.phone_masked ?? '—'}</td>
                  <td>{locationLabel(byId, r.location_id, lang)}</td>
                  <td className="num">{r.qty}</td>
                  <td data-testid="presale-invite-status">
                    {translateValue(t, 'presale.rstatus', r.status)}
                    {r.refunded > 0 && (
                      <span className="muted small"> {t('presale.refunded', { amount: formatFen(r.refunded) })}</span>
                    )}
                  </td>
                  <td className="nowrap small">{formatDateTime(r.created_at, lang)}</td>
                  <td className="nowrap">
                    {r.order_id ? (
                      <a href={href('orders', r.order_id)}>{t('presale.order')}</a>
                    ) : (
                      presale.status === 'launched' &&
                      r.status === 'reserved' &&
                      CONVERTING_ROLES.includes(role) && (
                        <button
                          type="button"
                          className="btn btn-small"
                          disabled={convert.busy}
                          onClick={() => void toOrder(r.id)}
                          data-testid={`presale-convert-${r.id}`}
                        >
                          {t('presale.convert')}
                        </button>
                      )
                    )}{' '}
                    {CANCELLABLE.includes(r.status) && CANCELLING_ROLES.includes(role) && (
                      <button
                        type="button"
                        className="btn btn-small"
                        disabled={cancel.busy}
                        onClick={() => void cancelReservation(r)}
                        data-testid={`presale-cancel-${r.id}`}
                      >
                        {t('presale.cancel')}
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
