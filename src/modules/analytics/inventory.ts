/**
 * Inventory health (GET /v1/analytics/inventory): stock-outs now and over the last 28 days, days of
 * cover, turnover, low stock and slow movers, from the stock now (inventory's stockLevels), the daily
 * stock snapshots (analytics_stock_daily) and the SKU sales rollup (analytics_sku_daily).
 *
 * Snapshots: the nightly task takes one per local day (settings `schedule.stock_snapshot`, from
 * hour 0 by default: the day's opening stock, or the stock when the first server of the day checked),
 * `takeStockSnapshot` (the demo seed backfills its history with `backfillStockSnapshots`).
 */
import { sql } from 'kysely';
import type { Database, Queryable } from '../../platform/db/database';
import type { AppContext } from '../../platform/http/context';
import { claimNightly, localDayHour } from '../../platform/nightly';
import { productFacts, productNames } from '../catalog/public';
import { stockLevels } from '../inventory/public';

const STOCK_SNAPSHOT_SCHEDULE = 'stock_snapshot';
const STOCK_SNAPSHOT_DEFAULT_HOUR = 0;
/** Days of snapshots kept. */
const KEEP_DAYS = 400;
const WINDOW_DAYS = 28;
const SLOW_DAYS = 60;
/** A selling SKU × location with fewer days of cover than this is low. */
const LOW_COVER_DAYS = 7;
const LIST_LIMIT = 50;

export const INVENTORY_DEFINITIONS =
  "Days are the retailer's time zone; the window is the last 28 days up to today, inclusive. Pairs are the SKU × " +
  'location pairs the location stocks (it has a stock record for the SKU). A pair sold when units of it were sold in ' +
  "that window at that location (the order's location: the store of an in-store sale or pickup, the location a " +
  'delivery left from; orders split across locations have no location and are left out). stock_out.now = ' +
  'share of the pairs sold whose online-available stock (on hand − reserved − safety stock, at least 0) is 0 now. ' +
  'stock_out.last_28_days = share of the daily snapshots of those pairs in the window that show 0 online-available ' +
  '(snapshot-days out ÷ snapshot-days; history = the same by day). days_of_cover = units on hand ÷ average daily ' +
  'units sold (sold − returned) over the 28 days, for the chain or the store and for each pair (null without ' +
  'sales). turnover = units sold − returned over the 28 days ÷ average units on hand in the window’s snapshots ' +
  '(null without snapshots). low_stock = pairs sold in the window with fewer than 7 days of cover, fewest first. ' +
  'slow_movers = pairs with stock on hand now and no unit sold at that location in the last 60 days, most stock ' +
  'value (on hand × list price, fen) first. Lists hold at most 50 pairs; *_count is how many there are.';

/** Today's local day (YYYY-MM-DD) as the server sees it. */
export function todayIn(timezone: string, now = new Date()): string {
  return localDayHour(now, timezone).day;
}

const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);

/** Records the stock of every SKU × location as `day`'s snapshot (taken again the same day, it is replaced). */
export async function takeStockSnapshot(db: Queryable, day: string): Promise<number> {
  const r = await sql`
    INSERT INTO analytics_stock_daily (day, location_id, sku, on_hand, reserved, safety_stock, online_available)
    SELECT ${day}::date, s.location_id, s.sku, s.on_hand, s.reserved, s.safety_stock, s.online_available
    FROM ${stockLevels} s ORDER BY s.location_id, s.sku
    ON CONFLICT (day, location_id, sku) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved,
      safety_stock = excluded.safety_stock, online_available = excluded.online_available`.execute(db);
  await sql`DELETE FROM analytics_stock_daily WHERE day < ${addDays(day, -KEEP_DAYS)}::date`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** The nightly snapshot, if due at `now` and this caller claimed the day (platform/nightly.ts). */
export async function nightlyStockSnapshot(ctx: AppContext, now: Date): Promise<string | null> {
  const day = await claimNightly(
    ctx.database.db,
    STOCK_SNAPSHOT_SCHEDULE,
    ctx.config.timezone,
    STOCK_SNAPSHOT_DEFAULT_HOUR,
    now,
  );
  if (day === null) return null;
  const rows = await takeStockSnapshot(ctx.database.db, day);
  ctx.log.info({ day, rows }, 'stock snapshot taken');
  return day;
}

/**
 * The demo's snapshot history: `days` days before `today` and today, made from the stock now and
 * the units sold since (analytics_sku_daily, rebuilt first) with a weekly delivery (days that already
 * have a snapshot are left alone): going back in
 * time, each day adds back the units sold that day and, on the pair's delivery day, takes off a
 * week's average sales (what the delivery brought). A pair whose figure would fall below zero shows 0
 * that day: a stock-out. Synthetic but consistent with the sales the demo shows.
 */
export async function backfillStockSnapshots(database: Database, today: string, days: number): Promise<number> {
  const db = database.db;
  const from = addDays(today, -days);
  const taken = new Set(
    (
      await sql<{ day: string }>`SELECT DISTINCT day::text AS day FROM analytics_stock_daily
        WHERE day BETWEEN ${from}::date AND ${today}::date`.execute(db)
    ).rows.map((r) => r.day),
  );
  const stock = (
    await sql<{ location_id: string; sku: string; on_hand: number; reserved: number; safety_stock: number }>`
      SELECT location_id, sku, on_hand, reserved, safety_stock FROM ${stockLevels} s ORDER BY 1, 2`.execute(db)
  ).rows;
  const sold = new Map<string, Map<string, number>>(); // pair → day → units
  for (const r of (
    await sql<{ day: string; location_id: string; sku: string; units: string }>`
      SELECT day::text AS day, location_id, sku, sum(units_sold - units_returned)::text AS units FROM analytics_sku_daily
      WHERE day > ${from}::date AND day <= ${today}::date AND location_id <> '' GROUP BY 1, 2, 3`.execute(db)
  ).rows) {
    const key = `${r.location_id}\u0000${r.sku}`;
    if (!sold.has(key)) sold.set(key, new Map());
    sold.get(key)!.set(r.day, Number(r.units));
  }
  const dayList: string[] = [];
  for (let i = days; i >= 0; i--) dayList.push(addDays(today, -i));
  const rows: [string, string, string, number, number, number, number][] = [];
  for (const s of stock) {
    const bySale = sold.get(`${s.location_id}\u0000${s.sku}`);
    let total = 0;
    for (const u of bySale?.values() ?? []) total += u;
    const weekly = Math.ceil((total * 7) / days);
    const phase = hash(s.location_id + s.sku) % 7;
    // Walking back from today: the day after a snapshot adds back its sales and takes off its delivery.
    let level = Number(s.on_hand);
    for (let i = dayList.length - 1; i >= 0; i--) {
      const day = dayList[i];
      if (i < dayList.length - 1) {
        const next = dayList[i + 1];
        const n = Math.round(Date.parse(`${next}T00:00:00Z`) / 86400_000);
        level += (bySale?.get(next) ?? 0) - ((n + phase) % 7 === 0 ? weekly : 0);
      }
      const onHand = Math.max(0, level);
      const reserved = i === dayList.length - 1 ? Number(s.reserved) : 0;
      const safety = Number(s.safety_stock);
      rows.push([day, s.location_id, s.sku, onHand, reserved, safety, Math.max(0, onHand - reserved - safety)]);
    }
  }
  // Bulk-loaded (COPY): days that already have a snapshot are left as they are.
  const fresh = rows.filter((r) => !taken.has(r[0]));
  if (fresh.length > 0)
    await database.copyCsv(
      'analytics_stock_daily',
      ['day', 'location_id', 'sku', 'on_hand', 'reserved', 'safety_stock', 'online_available'],
      fresh.map((r) => r.map(csvField).join(',')).join('\n') + '\n',
    );
  const added = fresh.length;
  // Fresh statistics: the planner reads a backfill as a few thousand rows otherwise.
  await sql`ANALYZE analytics_stock_daily`.execute(db);
  return added;
}

/** A CSV field: quoted when it holds a comma, quote or line break. */
const csvField = (v: string | number) => {
  const t = String(v);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
};

/** A small deterministic hash of a string (FNV-1a), for the demo's delivery days. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

interface StockItem {
  location_id: string;
  sku: string;
  name: string;
  on_hand: number;
  online_available: number;
  units_28d: number;
  avg_daily_units: number;
  days_of_cover: number | null;
}

interface SlowMover {
  location_id: string;
  sku: string;
  name: string;
  on_hand: number;
  stock_value: number;
}

interface InventoryHealth {
  timezone: string;
  as_of: string;
  location_id: string | null;
  window_days: number;
  stock_out: {
    now: { pairs: number; out: number; rate: number | null };
    last_28_days: { snapshot_days: number; pair_days: number; out_days: number; rate: number | null };
    history: { day: string; pairs: number; out: number; rate: number | null }[];
  };
  on_hand: number;
  units_28d: number;
  days_of_cover: number | null;
  turnover: number | null;
  low_stock_count: number;
  low_stock: StockItem[];
  slow_movers_count: number;
  slow_movers: SlowMover[];
}

const ratio = (a: number, b: number, places: number) =>
  b > 0 ? Math.round((a / b) * 10 ** places) / 10 ** places : null;

/** Inventory health of the chain, or of one location, as of `today` (a local day). */
export async function inventoryHealth(
  db: Queryable,
  settings: { timezone: string },
  q: { location_id?: string | null; today?: string },
): Promise<InventoryHealth> {
  const today = q.today ?? todayIn(settings.timezone);
  const loc = q.location_id ?? null;
  const w28 = addDays(today, -(WINDOW_DAYS - 1));
  const w60 = addDays(today, -(SLOW_DAYS - 1));
  const locFilter = (col: string) => (loc !== null ? sql`AND ${sql.ref(col)} = ${loc}` : sql``);
  // Every pair the location stocks (a stock row), with its sales over the last 28 and 60 days.
  const pairs = (
    await sql<{
      location_id: string;
      sku: string;
      on_hand: number;
      online_available: number;
      list_price: string | null;
      sold_28: string;
      units_28: string;
      sold_60: string;
    }>`
      WITH sold AS (
        SELECT location_id, sku,
               coalesce(sum(units_sold) FILTER (WHERE day >= ${w28}::date), 0) AS sold_28,
               coalesce(sum(units_sold - units_returned) FILTER (WHERE day >= ${w28}::date), 0) AS units_28,
               sum(units_sold) AS sold_60
        FROM analytics_sku_daily
        WHERE day BETWEEN ${w60}::date AND ${today}::date AND location_id <> '' ${locFilter('location_id')}
        GROUP BY 1, 2),
      now AS (SELECT * FROM ${stockLevels} s WHERE true ${locFilter('s.location_id')})
      SELECT n.location_id, n.sku, n.on_hand, n.online_available,
             p.list_price::text AS list_price, coalesce(x.sold_28, 0)::text AS sold_28,
             coalesce(x.units_28, 0)::text AS units_28, coalesce(x.sold_60, 0)::text AS sold_60
      FROM now n LEFT JOIN sold x ON x.location_id = n.location_id AND x.sku = n.sku
      LEFT JOIN ${productFacts} p ON p.sku = n.sku`.execute(db)
  ).rows.map((r) => ({
    ...r,
    on_hand: Number(r.on_hand),
    online_available: Number(r.online_available),
    list_price: Number(r.list_price ?? 0),
    sold_28: Number(r.sold_28),
    units_28: Number(r.units_28),
    sold_60: Number(r.sold_60),
  }));
  // The pairs that sold in the last 28 days, from the sums above (not summed again): a pair that sold
  // has a stock row (stock rows are never deleted), so every one of them is among the pairs.
  const sold28 = pairs.filter((p) => p.sold_28 > 0).map((p) => ({ location_id: p.location_id, sku: p.sku }));
  const history = (
    await sql<{ day: string; on_hand: string; pairs: string; out: string }>`
      WITH sold AS (SELECT * FROM json_to_recordset(${JSON.stringify(sold28)}::json) AS j(location_id text, sku text))
      SELECT d.day::text AS day, sum(d.on_hand)::text AS on_hand, count(x.sku)::text AS pairs,
             (count(x.sku) FILTER (WHERE d.online_available = 0))::text AS out
      FROM analytics_stock_daily d LEFT JOIN sold x ON x.location_id = d.location_id AND x.sku = d.sku
      WHERE d.day BETWEEN ${w28}::date AND ${today}::date ${locFilter('d.location_id')}
      GROUP BY d.day ORDER BY d.day`.execute(db)
  ).rows.map((r) => ({ day: r.day, on_hand: Number(r.on_hand), pairs: Number(r.pairs), out: Number(r.out) }));

  const selling = pairs.filter((p) => p.sold_28 > 0);
  const outNow = selling.filter((p) => p.online_available === 0).length;
  const pairDays = history.reduce((t, h) => t + h.pairs, 0);
  const outDays = history.reduce((t, h) => t + h.out, 0);
  const onHand = pairs.reduce((t, p) => t + p.on_hand, 0);
  const units28 = pairs.reduce((t, p) => t + p.units_28, 0);
  const avgOnHand = history.length > 0 ? history.reduce((t, h) => t + h.on_hand, 0) / history.length : 0;

  const cover = (p: { on_hand: number; units_28: number }) =>
    p.units_28 > 0 ? Math.round((p.on_hand / (p.units_28 / WINDOW_DAYS)) * 10) / 10 : null;
  const low = selling
    .map((p) => ({ p, cover: p.units_28 > 0 ? p.on_hand / (p.units_28 / WINDOW_DAYS) : Infinity }))
    .filter((x) => x.cover < LOW_COVER_DAYS)
    .sort((a, b) => a.cover - b.cover || b.p.units_28 - a.p.units_28 || key(a.p).localeCompare(key(b.p)));
  const slow = pairs
    .filter((p) => p.on_hand > 0 && p.sold_60 === 0)
    .map((p) => ({ p, value: p.on_hand * p.list_price }))
    .sort((a, b) => b.value - a.value || key(a.p).localeCompare(key(b.p)));
  const lowList = low.slice(0, LIST_LIMIT).map((x) => x.p);
  const slowList = slow.slice(0, LIST_LIMIT);
  const names = await namesOf(db, [...lowList.map((p) => p.sku), ...slowList.map((x) => x.p.sku)]);

  return {
    timezone: settings.timezone,
    as_of: today,
    location_id: loc,
    window_days: WINDOW_DAYS,
    stock_out: {
      now: { pairs: selling.length, out: outNow, rate: ratio(outNow, selling.length, 4) },
      last_28_days: {
        snapshot_days: history.length,
        pair_days: pairDays,
        out_days: outDays,
        rate: ratio(outDays, pairDays, 4),
      },
      history: history.map((h) => ({ day: h.day, pairs: h.pairs, out: h.out, rate: ratio(h.out, h.pairs, 4) })),
    },
    on_hand: onHand,
    units_28d: units28,
    days_of_cover: units28 > 0 ? Math.round((onHand / (units28 / WINDOW_DAYS)) * 10) / 10 : null,
    turnover: avgOnHand > 0 ? Math.round((units28 / avgOnHand) * 10000) / 10000 : null,
    low_stock_count: low.length,
    low_stock: lowList.map((p) => ({
      location_id: p.location_id,
      sku: p.sku,
      name: names.get(p.sku) ?? p.sku,
      on_hand: p.on_hand,
      online_available: p.online_available,
      units_28d: p.units_28,
      avg_daily_units: Math.round((p.units_28 / WINDOW_DAYS) * 100) / 100,
      days_of_cover: cover(p),
    })),
    slow_movers_count: slow.length,
    slow_movers: slowList.map(({ p, value }) => ({
      location_id: p.location_id,
      sku: p.sku,
      name: names.get(p.sku) ?? p.sku,
      on_hand: p.on_hand,
      stock_value: value,
    })),
  };
}

const key = (p: { location_id: string; sku: string }) => `${p.location_id}\u0000${p.sku}`;

async function namesOf(db: Queryable, skus: string[]): Promise<Map<string, string>> {
  if (skus.length === 0) return new Map();
  const rows = (
    await sql<{ sku: string; name: string }>`
      SELECT p.sku, p.name FROM ${productNames} p WHERE p.sku IN (SELECT json_array_elements_text(${JSON.stringify([...new Set(skus)])}::json))`.execute(
      db,
    )
  ).rows;
  return new Map(rows.map((r) => [r.sku, r.name]));
}
