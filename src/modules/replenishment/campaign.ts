/**
 * Stocking up for a planned campaign (issue 18): per store and SKU, the forecast demand of the
 * campaign's days, the uplift expected on top and the units reserved in pre-sales, against the
 * stock position; what each store must receive before the campaign ends, and what each DC must
 * hold (its stores' stock-up plus its own) and buy. The forecast starts today (the nightly run's
 * history ends yesterday), so a campaign's days are counted from today.
 */
import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { leadTimeDemand } from '../forecasts/public';
import { stockWithTransitAt } from '../inventory/public';
import { listLocations, type Location } from '../locations/public';
import { reservedDemand } from '../presales/public';
import { normalQuantile } from './normal';
import { getPolicy } from './policy';
import { casePacksOf, round2, sourceOf } from './suggestions';

export interface CampaignPlan {
  starts_on: string;
  ends_on: string;
  skus: string[];
  /** expected extra demand during the campaign as a fraction of the forecast (0.5: +50 %) */
  uplift: number;
  /** count units reserved in pre-sales as extra demand (default true) */
  presales?: boolean;
}

export interface StockUpRow {
  location_id: string;
  sku: string;
  name: string;
  /** forecast units over the campaign's days */
  baseline: number;
  uplift_units: number;
  presale_units: number;
  /** forecast until the campaign ends + uplift + pre-sales + safety stock */
  needed: number;
  position: number;
  /** what must arrive before the campaign ends, in whole case packs */
  stock_up_qty: number;
}

/** A store's row, with the DC it is stocked from (or `supplier` when there is none). */
export interface StoreStockUpRow extends StockUpRow {
  source_id: string;
}

export interface DcRow {
  location_id: string;
  sku: string;
  name: string;
  /** Σ of its stores' stock-up */
  to_stores: number;
  own_needed: number;
  position: number;
  /** to buy from the supplier, in whole case packs */
  purchase_qty: number;
}

const DAY_MS = 86_400_000;
const daysFrom = (today: string, day: string) => Math.round((Date.parse(day) - Date.parse(today)) / DAY_MS);
const roundUp = (units: number, pack: number) => (units > 0 ? Math.ceil(units / pack - 1e-9) * pack : 0);

async function positions(db: Queryable, locationId: string, skus: readonly string[]) {
  const r = await sql<{ sku: string; position: number }>`
    SELECT sku, on_hand - reserved + in_transit AS position FROM ${stockWithTransitAt(locationId)} s
    WHERE sku = ANY(${[...skus]}::text[])`.execute(db);
  return new Map(r.rows.map((x) => [x.sku, Number(x.position)]));
}

/** One location's rows: its demand until the campaign ends, with the campaign's uplift and pre-sales on top. */
async function locationRows(
  db: Queryable,
  loc: Location,
  plan: CampaignPlan,
  window: { before: number; through: number },
  presale: ReadonlyMap<string, number>,
  products: ReadonlyMap<string, { name: string; case_pack: number }>,
  z: number,
): Promise<StockUpRow[]> {
  const skus = plan.skus.filter((s) => products.has(s));
  const [before, through, have] = await Promise.all([
    leadTimeDemand(db, { locationId: loc.id, days: window.before, skus }),
    leadTimeDemand(db, { locationId: loc.id, days: window.through, skus }),
    positions(db, loc.id, skus),
  ]);
  return skus.map((sku) => {
    const d = through.get(sku) ?? { mean: 0, sd: 0 };
    const baseline = Math.max(0, d.mean - (before.get(sku)?.mean ?? 0));
    const upliftUnits = plan.uplift * baseline;
    const presaleUnits = presale.get(`${loc.id}|${sku}`) ?? 0;
    const needed = Math.ceil(d.mean + upliftUnits + presaleUnits + z * d.sd - 1e-9);
    const position = have.get(sku) ?? 0;
    return {
      location_id: loc.id,
      sku,
      name: products.get(sku)!.name,
      baseline: round2(baseline),
      uplift_units: round2(upliftUnits),
      presale_units: presaleUnits,
      needed,
      position,
      stock_up_qty: roundUp(needed - position, products.get(sku)!.case_pack),
    };
  });
}

export async function campaignStockUp(db: Queryable, plan: CampaignPlan, today = new Date()) {
  const day = today.toISOString().slice(0, 10);
  const window = { before: Math.max(0, daysFrom(day, plan.starts_on)), through: daysFrom(day, plan.ends_on) + 1 };
  const policy = await getPolicy(db);
  const z = normalQuantile(policy.service_level);
  const locations = (await listLocations(db)).filter((l) => l.status === 'active');
  const products = await casePacksOf(db, plan.skus);
  const presale = new Map<string, number>();
  if (plan.presales ?? true)
    for (const sku of plan.skus)
      for (const r of await reservedDemand(db, { sku })) presale.set(`${r.location_id}|${r.sku}`, r.units);

  const stores: StoreStockUpRow[] = [];
  const dcs = new Map<string, StockUpRow[]>();
  for (const loc of locations) {
    const rows = await locationRows(db, loc, plan, window, presale, products, z);
    if (loc.type === 'dc') dcs.set(loc.id, rows);
    else stores.push(...rows.map((r) => ({ ...r, source_id: sourceOf(loc, locations) })));
  }
  const dcRows: DcRow[] = [...dcs].flatMap(([dc, own]) =>
    own.map((o) => {
      const toStores = stores
        .filter((s) => s.sku === o.sku && s.source_id === dc)
        .reduce((n, s) => n + s.stock_up_qty, 0);
      return {
        location_id: dc,
        sku: o.sku,
        name: o.name,
        to_stores: toStores,
        own_needed: o.needed,
        position: o.position,
        purchase_qty: roundUp(toStores + o.needed - o.position, products.get(o.sku)!.case_pack),
      };
    }),
  );
  return {
    starts_on: plan.starts_on,
    ends_on: plan.ends_on,
    uplift: plan.uplift,
    presales: plan.presales ?? true,
    stores: stores.filter((s) => s.stock_up_qty > 0 || s.presale_units > 0),
    dcs: dcRows,
  };
}
