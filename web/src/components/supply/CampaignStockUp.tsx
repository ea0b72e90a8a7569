import { useState, type FormEvent } from 'react';
import type { Answer, RequestBody } from '../../contract';
import { formatInt } from '../../format';
import { useAction, useResource } from '../../hooks';
import { useI18n } from '../../i18n';
import { locationLabel, useLocations } from '../../locations';
import { downloadCsv } from '../../marketing';
import { can, useMe } from '../../me';
import { useApi, useSession } from '../../session';
import { Panel } from '../PageHeader';
import { ActionError, Empty } from '../Status';
import type { ForecastEvent } from './ForecastChart';
import { ProductPicker } from './ProductPicker';
import './supply.css';

type Plan = RequestBody<'/v1/replenishment/campaign-stock-up', 'post'>;
type StockUp = Answer<'/v1/replenishment/campaign-stock-up', 'post'>;
type Transfer = Answer<'/v1/transfers/{id}'>;
type Presale = Answer<'/v1/presales/{id}'>;
const PLAN_PATH = '/v1/replenishment/campaign-stock-up';

const today = () => new Date().toISOString().slice(0, 10);

/**
 * 活动备货: for a planned campaign (its days, products, expected uplift and the pre-sales'
 * reservations) what each store must receive and each DC must buy; the stores' share becomes
 * transfers from their DC in one click, the whole plan a CSV for the buyers.
 */
export function CampaignStockUp() {
  const { t, lang } = useI18n();
  const api = useApi();
  const me = useMe();
  const { key } = useSession();
  const { byId } = useLocations();
  const upcoming = useResource<{ items: ForecastEvent[] }>('/v1/forecast-events', { from: today() });
  const presales = useResource<{ items: Presale[] }>('/v1/presales', { status: 'open' });
  const [form, setForm] = useState({ starts_on: '', ends_on: '', uplift: '50', presales: true });
  const [products, setProducts] = useState<{ sku: string; name: string }[]>([]);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [result, setResult] = useState<StockUp | null>(null);
  const [made, setMade] = useState<number | null>(null);
  const action = useAction();

  const fromEvent = (id: string) => {
    const ev = upcoming.data?.items.find((e) => e.id === id);
    // the calendar's multiple (2.5 = two and a half times) is the plan's extra (+150 %)
    if (ev)
      setForm({
        ...form,
        starts_on: ev.starts_on,
        ends_on: ev.ends_on,
        uplift: String(Math.round((ev.uplift - 1) * 100)),
      });
  };
  const add = (p: { sku: string; name: string }) => {
    if (!products.some((x) => x.sku === p.sku)) setProducts([...products, { sku: p.sku, name: p.name }]);
  };
  // a pre-sale: its product, from today to its launch day, its reservations counted
  const fromPresale = (id: string) => {
    const p = presales.data?.items.find((x) => x.id === id);
    if (!p) return;
    setForm({ ...form, starts_on: today(), ends_on: p.launch_at.slice(0, 10), presales: true });
    add({ sku: p.sku, name: p.product_name ?? p.title });
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body: Plan = {
      starts_on: form.starts_on,
      ends_on: form.ends_on,
      skus: products.map((p) => p.sku),
      uplift: Math.max(0, Number(form.uplift) / 100),
      presales: form.presales,
    };
    const r = await action.run(() => api.post<StockUp>(PLAN_PATH, body));
    if (r) {
      setPlan(body);
      setResult(r);
      setMade(null);
    }
  }

  /** One transfer per store (from its DC) with every product it must receive. */
  async function createTransfers() {
    if (!result) return;
    const byStore = new Map<string, { from: string; to: string; lines: { sku: string; qty: number }[] }>();
    for (const r of result.stores) {
      if (r.stock_up_qty <= 0 || r.source_id === 'supplier') continue;
      const k = `${r.source_id}|${r.location_id}`;
      if (!byStore.has(k)) byStore.set(k, { from: r.source_id, to: r.location_id, lines: [] });
      byStore.get(k)!.lines.push({ sku: r.sku, qty: r.stock_up_qty });
    }
    const batch = crypto.randomUUID();
    const n = await action.run(async () => {
      for (const g of byStore.values())
        await api.post<Transfer>(
          '/v1/transfers',
          { from_location_id: g.from, to_location_id: g.to, origin: 'campaign', lines: g.lines },
          { idempotencyKey: `campaign-${batch}-${g.to}` },
        );
      return byStore.size;
    });
    if (n !== undefined) setMade(n);
  }

  const toMove = result?.stores.some((r) => r.stock_up_qty > 0 && r.source_id !== 'supplier') ?? false;
  return (
    <Panel title={t('cs.title')} hint={t('cs.hint')} testId="campaign">
      <form className="form-grid supply-form" onSubmit={submit} noValidate data-testid="campaign-form">
        <label className="field">
          <span>{t('cs.fromCalendar')}</span>
          <select value="" onChange={(e) => fromEvent(e.target.value)} data-testid="campaign-event">
            <option value="">{t('cs.pickEvent')}</option>
            {(upcoming.data?.items ?? []).map((ev) => (
              <option key={ev.id} value={ev.id}>
                {ev.name} ({ev.starts_on})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('cs.fromPresale')}</span>
          <select value="" onChange={(e) => fromPresale(e.target.value)} data-testid="campaign-presale">
            <option value="">{t('cs.pickPresale')}</option>
            {(presales.data?.items ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.title}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('cal.startsOn')}</span>
          <input
            type="date"
            value={form.starts_on}
            onChange={(e) => setForm({ ...form, starts_on: e.target.value })}
            data-testid="campaign-starts"
          />
        </label>
        <label className="field">
          <span>{t('cal.endsOn')}</span>
          <input
            type="date"
            value={form.ends_on}
            onChange={(e) => setForm({ ...form, ends_on: e.target.value })}
            data-testid="campaign-ends"
          />
        </label>
        <label className="field">
          <span>{t('cs.uplift')}</span>
          <input
            type="number"
            min={0}
            step={10}
            value={form.uplift}
            onChange={(e) => setForm({ ...form, uplift: e.target.value })}
            data-testid="campaign-uplift"
          />
        </label>
        <label className="field-inline">
          <input
            type="checkbox"
            checked={form.presales}
            onChange={(e) => setForm({ ...form, presales: e.target.checked })}
          />
          {t('cs.presales')}
        </label>
        <ProductPicker label={t('cs.products')} testId="campaign" onPick={add} />
        <div className="chips" data-testid="campaign-products">
          {products.map((p) => (
            <span key={p.sku} className="chip">
              {p.name}{' '}
              <button
                type="button"
                className="btn btn-link btn-small"
                aria-label={t('cs.remove', { name: p.name })}
                onClick={() => setProducts(products.filter((x) => x.sku !== p.sku))}
              >
                ×
              </button>
            </span>
          ))}
        </div>
        <div className="form-buttons">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={action.busy || products.length === 0}
            data-testid="campaign-submit"
          >
            {t('cs.compute')}
          </button>
        </div>
        <ActionError error={action.error} testId="campaign-error" />
      </form>

      {result && (
        <>
          <h3>{t('cs.stores', { from: result.starts_on, to: result.ends_on })}</h3>
          {result.stores.length === 0 ? (
            <Empty />
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="campaign-stores">
                <thead>
                  <tr>
                    <th>{t('cs.store')}</th>
                    <th>{t('supply.sku')}</th>
                    <th className="num">{t('cs.baseline')}</th>
                    <th className="num">{t('cs.upliftUnits')}</th>
                    <th className="num">{t('cs.presaleUnits')}</th>
                    <th className="num">{t('cs.needed')}</th>
                    <th className="num">{t('cs.position')}</th>
                    <th className="num">{t('cs.stockUp')}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.stores.map((r) => (
                    <tr key={`${r.location_id}|${r.sku}`} data-testid="campaign-store-row">
                      <td>{locationLabel(byId, r.location_id, lang)}</td>
                      <td>{r.name}</td>
                      <td className="num">{r.baseline.toFixed(1)}</td>
                      <td className="num">{r.uplift_units.toFixed(1)}</td>
                      <td className="num">{formatInt(r.presale_units)}</td>
                      <td className="num">{formatInt(r.needed)}</td>
                      <td className="num">{formatInt(r.position)}</td>
                      <td className="num">
                        <strong>{formatInt(r.stock_up_qty)}</strong>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h3>{t('cs.dcs')}</h3>
          <div className="table-wrap">
            <table className="table" data-testid="campaign-dcs">
              <thead>
                <tr>
                  <th>{t('cs.dc')}</th>
                  <th>{t('supply.sku')}</th>
                  <th className="num">{t('cs.toStores')}</th>
                  <th className="num">{t('cs.ownNeeded')}</th>
                  <th className="num">{t('cs.position')}</th>
                  <th className="num">{t('cs.purchase')}</th>
                </tr>
              </thead>
              <tbody>
                {result.dcs.map((r) => (
                  <tr key={`${r.location_id}|${r.sku}`} data-testid="campaign-dc-row">
                    <td>{locationLabel(byId, r.location_id, lang)}</td>
                    <td>{r.name}</td>
                    <td className="num">{formatInt(r.to_stores)}</td>
                    <td className="num">{formatInt(r.own_needed)}</td>
                    <td className="num">{formatInt(r.position)}</td>
                    <td className="num">
                      <strong>{formatInt(r.purchase_qty)}</strong>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {made !== null && (
            <p className="status status-ok" data-testid="campaign-made">
              {t('cs.made', { n: made })}
            </p>
          )}
          <div className="form-buttons">
            {can(me, 'writeTransfers') && toMove && made === null && (
              <button
                className="btn btn-primary"
                disabled={action.busy}
                onClick={() => void createTransfers()}
                data-testid="campaign-transfers"
              >
                {t('cs.createTransfers')}
              </button>
            )}
            {key && plan && (
              <button
                className="btn"
                disabled={action.busy}
                onClick={() =>
                  void action.run(() => downloadCsv(key, PLAN_PATH, `campaign-stock-up-${plan.starts_on}.csv`, plan))
                }
                data-testid="campaign-csv"
              >
                {t('cs.csv')}
              </button>
            )}
          </div>
        </>
      )}
    </Panel>
  );
}
