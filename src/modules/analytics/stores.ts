/**
 * GET /v1/analytics/stores (the league table) and GET /v1/stores/:id/scorecard: per store, in-store
 * sales and online orders it fulfilled (sales rollups), fulfilment timings (the timings rollup,
 * fulfilment-rollup.ts), members recruited at its till (customers' posRecruits) and the revenue
 * share it earned (settlements' storeRevenueShares, one grouped query for all the stores).
 */
import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { notFound } from '../../platform/http/errors';
import { posRecruits } from '../customers/public';
import { existingStoreIds, storeIdsWithin } from '../locations/public';
import { footfallByHour, footfallOf } from '../appointments/public';
import { isSale, orderFacts } from '../orders/public';
import { storeRevenueShares } from '../settlements/public';
import { dayAfter, dayStart, rate } from './customers';
import { checkRange } from './sales';

export const ONLINE_KINDS = ['pickup', 'hour', 'same_day', 'standard'] as const;

export const STORE_DEFINITIONS =
  "Days are the retailer's time zone; orders are dated by placed_at. in_store_net_sales = net sales (gross − discounts − " +
  'refunds, fen) of the store\u2019s till (channel pos) as in /v1/analytics/sales. online_orders = online sales (paid or ' +
  'completed, not cancelled) the store fulfils, by fulfilment kind (pickup, or delivered from the store: hour, same_day, ' +
  'standard); o2o_net_sales their net sales. Timings are over online orders paid in the range and fulfilled by the store: ' +
  'median_pick_seconds = median time from allocation (the payment) to ready for pickup, or to the hand-over to a ' +
  'courier or carrier for a delivery; median_ready_for_pickup_seconds = median time from placing a pickup order to ready ' +
  'for pickup; pickup_no_show_rate = pickups made ready that ended uncollected (failed or cancelled) ÷ pickups made ready ' +
  'that ended (collected, failed or cancelled); hour_delivery_on_time_rate = hour deliveries delivered by their promised ' +
  'eta ÷ hour deliveries with an eta that were delivered or failed. members_recruited = people first identified at the ' +
  'store\u2019s till in the range (a known profile created by a POS call, the oldest of its group; the store of its first ' +
  'till sale). revenue_share = the store\u2019s share of the online orders it fulfilled (settlements: credits on ' +
  'completion and reversals on return, by the date they were booked, fen; net = credits + reversals). footfall = visitors ' +
  'the store\u2019s people counters counted (POST /v1/stores/:id/footfall, by the start of each counted interval; ' +
  'footfall_recorded false when none); footfall_conversion = in_store_orders ÷ footfall (null without footfall). Rates are fractions ' +
  '0–1 rounded to 4 places, null when nothing was counted; medians are whole seconds, null when there is none.';

export interface StoreFigures {
  location_id: string;
  in_store_net_sales: number;
  in_store_orders: number;
  online_orders: { pickup: number; hour: number; same_day: number; standard: number; total: number };
  o2o_net_sales: number;
  median_pick_seconds: number | null;
  median_ready_for_pickup_seconds: number | null;
  pickups_ended: number;
  pickup_no_shows: number;
  pickup_no_show_rate: number | null;
  hour_deliveries: number;
  hour_on_time: number;
  hour_delivery_on_time_rate: number | null;
  members_recruited: number;
  revenue_share: { orders: number; credits: number; reversals: number; net: number };
  footfall_recorded: boolean;
  footfall: number;
  footfall_conversion: number | null;
}

/** A store's hour of the day (0–23) over the range: visitors, till sales and their ratio. */
export interface FootfallHour {
  hour: number;
  footfall: number;
  pos_orders: number;
  conversion: number | null;
}

const maybeRate = (part: number, whole: number) => (whole > 0 ? rate(part, whole) : null);

/** The figures of these stores over [from, to], one per store in the order given. */
async function figuresOf(db: Queryable, tz: string, ids: string[], from: string, to: string): Promise<StoreFigures[]> {
  if (ids.length === 0) return [];
  const storeIds = sql`${ids}::text[]`;
  const [shares, sales, timings, recruited, footfall] = await Promise.all([
    storeRevenueShares(db, tz, ids, from, to),
    sql<{ location_id: string; kind: string; net: string; orders: string }>`
      SELECT location_id, CASE WHEN channel = 'pos' THEN 'in_store' ELSE fulfilment END AS kind,
             sum(gross_sales - coupon_discounts - points_discounts - refunds)::text AS net, sum(orders)::text AS orders
      FROM analytics_sales_daily
      WHERE day BETWEEN ${from}::date AND ${to}::date AND location_id = ANY(${storeIds})
      GROUP BY 1, 2`.execute(db),
    sql<{
      location_id: string;
      pick: number | null;
      ready: number | null;
      ended: string;
      no_shows: string;
      hour: string;
      on_time: string;
    }>`
      SELECT location_id,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY pick_seconds) AS pick,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY ready_seconds) AS ready,
        count(*) FILTER (WHERE pickup_ended)::text AS ended,
        count(*) FILTER (WHERE pickup_no_show)::text AS no_shows,
        count(*) FILTER (WHERE hour_counted)::text AS hour,
        count(*) FILTER (WHERE hour_on_time)::text AS on_time
      FROM analytics_fulfilment_timings
      WHERE day BETWEEN ${from}::date AND ${to}::date AND location_id = ANY(${storeIds})
      GROUP BY 1`.execute(db),
    sql<{ location_id: string; n: string }>`
      SELECT location_id, count(*)::text AS n FROM (
        SELECT (SELECT o.location_id FROM ${orderFacts} o WHERE o.customer_id = m.id AND o.channel = 'pos'
                ORDER BY o.placed_at, o.id LIMIT 1) AS location_id
        FROM ${posRecruits} m
        WHERE m.created_at >= ${dayStart(from, tz)} AND m.created_at < ${dayAfter(to, tz)}) x
      WHERE location_id = ANY(${storeIds})
      GROUP BY 1`.execute(db),
    footfallOf(db, tz, ids, from, to),
  ]);
  return ids.map((id) => {
    const mine = sales.rows.filter((r) => r.location_id === id);
    const kind = (k: string) => mine.find((r) => r.kind === k);
    const online = Object.fromEntries(ONLINE_KINDS.map((k) => [k, Number(kind(k)?.orders ?? 0)])) as Record<
      (typeof ONLINE_KINDS)[number],
      number
    >;
    const t = timings.rows.find((r) => r.location_id === id);
    const ended = Number(t?.ended ?? 0);
    const noShows = Number(t?.no_shows ?? 0);
    const hour = Number(t?.hour ?? 0);
    const onTime = Number(t?.on_time ?? 0);
    const seconds = (v: number | string | null | undefined) =>
      v === null || v === undefined ? null : Math.round(Number(v));
    return {
      location_id: id,
      in_store_net_sales: Number(kind('in_store')?.net ?? 0),
      in_store_orders: Number(kind('in_store')?.orders ?? 0),
      online_orders: { ...online, total: ONLINE_KINDS.reduce((n, k) => n + online[k], 0) },
      o2o_net_sales: ONLINE_KINDS.reduce((n, k) => n + Number(kind(k)?.net ?? 0), 0),
      median_pick_seconds: seconds(t?.pick),
      median_ready_for_pickup_seconds: seconds(t?.ready),
      pickups_ended: ended,
      pickup_no_shows: noShows,
      pickup_no_show_rate: maybeRate(noShows, ended),
      hour_deliveries: hour,
      hour_on_time: onTime,
      hour_delivery_on_time_rate: maybeRate(onTime, hour),
      members_recruited: Number(recruited.rows.find((r) => r.location_id === id)?.n ?? 0),
      revenue_share: shares.get(id)!,
      footfall_recorded: footfall.has(id),
      footfall: footfall.get(id) ?? 0,
      footfall_conversion: maybeRate(Number(kind('in_store')?.orders ?? 0), footfall.get(id) ?? 0),
    };
  });
}

/** Every store's figures, the best in-store plus O2O net sales first (store staff: only theirs). */
export async function storeLeague(
  db: Queryable,
  tz: string,
  q: { from: string; to: string; location_id?: string | null },
): Promise<{ from: string; to: string; stores: StoreFigures[] }> {
  checkRange(q.from, q.to);
  const all = (await sql<{ id: string }>`SELECT id FROM ${storeIdsWithin(null)} s ORDER BY id`.execute(db)).rows.map(
    (r) => r.id,
  );
  const ids = q.location_id != null ? all.filter((id) => id === q.location_id) : all;
  const stores = (await figuresOf(db, tz, ids, q.from, q.to)).sort(
    (a, b) =>
      b.in_store_net_sales + b.o2o_net_sales - (a.in_store_net_sales + a.o2o_net_sales) ||
      (a.location_id < b.location_id ? -1 : 1),
  );
  return { from: q.from, to: q.to, stores };
}

/** The store's footfall and till sales by hour of the day (the retailer's) over [from, to]: 24 rows. */
async function footfallHours(db: Queryable, tz: string, id: string, from: string, to: string): Promise<FootfallHour[]> {
  const [visitors, sales] = await Promise.all([
    footfallByHour(db, tz, id, from, to),
    sql<{ hour: number; n: string }>`
      SELECT extract(hour FROM o.placed_at AT TIME ZONE ${tz})::int AS hour, count(*)::text AS n
      FROM ${orderFacts} o
      WHERE o.location_id = ${id} AND o.channel = 'pos' AND ${isSale('o')}
        AND o.placed_at >= ${dayStart(from, tz)} AND o.placed_at < ${dayAfter(to, tz)}
      GROUP BY 1`.execute(db),
  ]);
  return Array.from({ length: 24 }, (_, hour) => {
    const footfall = visitors.get(hour) ?? 0;
    const orders = Number(sales.rows.find((r) => Number(r.hour) === hour)?.n ?? 0);
    return { hour, footfall, pos_orders: orders, conversion: maybeRate(orders, footfall) };
  });
}

/** One store's scorecard (404 when it is not a store), with its footfall by hour. */
export async function storeScorecard(
  db: Queryable,
  tz: string,
  id: string,
  q: { from: string; to: string },
): Promise<StoreFigures & { from: string; to: string; footfall_by_hour: FootfallHour[] }> {
  checkRange(q.from, q.to);
  if (!(await existingStoreIds(db, [id])).has(id)) throw notFound('store', 'id');
  const [[figures], hours] = await Promise.all([
    figuresOf(db, tz, [id], q.from, q.to),
    footfallHours(db, tz, id, q.from, q.to),
  ]);
  return { from: q.from, to: q.to, ...figures, footfall_by_hour: hours };
}
