/**
 * Revenue sharing with stores and monthly settlement statements (issue 14, "Revenue sharing and
 * settlement": the fix for the channel conflict between online sales and stores).
 *
 * - Who earns. An online order (any channel but pos) that one shop (a location of type `store`)
 *   fulfils — collected there (pickup) or delivered from there — credits that store when the order
 *   completes (`order.completed`). Orders shipped from the DC or a dark store, orders split over
 *   several locations, and in-store sales earn nothing.
 * - How much. `round(percent × basis)` fen, rounded half away from zero, where basis is the order's
 *   net sales (what was paid for its lines, discounts taken off, delivery fee excluded) or its margin
 *   (net sales − unit cost × units, per line). A line whose product has no cost_price is settled on
 *   its net sales (the fallback) and the entry is flagged `cost_missing`. Percent and basis are read
 *   from the setting when the credit is booked and frozen in it; the unit costs used are kept with it.
 * - Returns. A return of a credited order books a reversal dated by the return (or by the completion
 *   when the return came first). Its basis is the returned lines' net (their refund) less, on the
 *   margin basis, the frozen unit cost × returned units; its amount is the change of the order's
 *   rounded share: round(p × (basis so far + this basis)) − round(p × basis so far). So an order's
 *   entries always sum to round(p × its remaining basis) and a full return nets to exactly 0.
 * - Booking. An entry belongs to the calendar month (retailer's time zone) of its date, unless that
 *   month's statement was closed: then it goes to the next month that is open. A closed statement
 *   never changes. Entries are written once (entry_key `credit:<order>` / `reversal:<return>`;
 *   applied outbox event ids are recorded too).
 *
 * Locks. The dispatcher's batch takes the shared advisory lock `settlements.periods` and then one
 * advisory lock per order (`settle:<order id>`, in byte order), after every ranked lock of
 * platform/db/locks.ts (a dispatcher batch takes none); closing a period takes the exclusive lock,
 * so no entry is booked into a period while it closes. A completion and a return of the same order
 * handled by two processes at once wait for each other and the second sees the first's rows.
 */
import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import { audit } from '../../platform/audit/audit';
import type { Database, Queryable, Tx } from '../../platform/db/database';
import { byteOrder } from '../../platform/db/locks';
import { transact } from '../../platform/db/transaction';
import type { PublishedEvent } from '../../platform/events/outbox';
import { conflict, unprocessable } from '../../platform/http/errors';
import { getSetting, putSetting } from '../../platform/settings';
import { productCosts } from '../catalog/public';
import { fulfilmentTimes } from '../fulfilment/public';
import { shopIds } from '../locations/public';
import { orderFacts, orderLineFacts, returnLineFacts } from '../orders/public';
import type { CreditedLine } from './tables';

export const BASES = ['margin', 'net_sales'] as const;
export type Basis = (typeof BASES)[number];

export interface RevenueShare {
  /** percent of the basis credited to the store, 0–100, at most two decimals */
  percent: number;
  basis: Basis;
}

const SETTING = 'revenue_share';
export const DEFAULT_REVENUE_SHARE: RevenueShare = { percent: 30, basis: 'margin' };

export async function getRevenueShare(db: Queryable): Promise<RevenueShare> {
  return (await getSetting<RevenueShare>(db, SETTING)) ?? DEFAULT_REVENUE_SHARE;
}

/** Sets the revenue share (admin), audited; it applies to credits booked from now on. */
export async function setRevenueShare(
  database: Database,
  actor: Principal | null,
  v: RevenueShare,
): Promise<RevenueShare> {
  if (!Number.isFinite(v.percent) || v.percent < 0 || v.percent > 100)
    throw unprocessable('invalid_percent', 'percent is between 0 and 100', 'percent');
  if (Math.abs(v.percent * 100 - Math.round(v.percent * 100)) > 1e-9)
    throw unprocessable('invalid_percent', 'percent has at most two decimals', 'percent');
  const value: RevenueShare = { percent: Math.round(v.percent * 100) / 100, basis: v.basis };
  await transact(database, async (tx) => {
    const before = await getRevenueShare(tx);
    await putSetting(tx, SETTING, value);
    await audit(tx, actor, {
      action: 'settings.revenue_share',
      subject: SETTING,
      details: { before: { ...before }, after: { ...value } },
    });
  });
  return value;
}

const bpOf = (share: RevenueShare) => Math.round(share.percent * 100);

/** round(bp / 10000 × basis), half away from zero, exact in integers. */
export function shareOf(bp: number, basis: number): number {
  const n = BigInt(basis) * BigInt(bp);
  const abs = n < 0n ? -n : n;
  const r = (abs * 2n + 10000n) / 20000n;
  return Number(n < 0n ? -r : r);
}

/** The same rounding in SQL, of a bigint expression `basis × bp`. */
const shareSql = (x: ReturnType<typeof sql>) =>
  sql`(CASE WHEN ${x} < 0 THEN -((-(${x}) * 2 + 10000) / 20000) ELSE ((${x}) * 2 + 10000) / 20000 END)`;

// ---------------------------------------------------------------------------------------------
// Periods

export const PERIOD_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$';
const PERIOD_RE = new RegExp(PERIOD_PATTERN);

export function isPeriod(p: string): boolean {
  return PERIOD_RE.test(p);
}

/** The calendar month of an instant in a time zone, 'YYYY-MM'. */
export function periodOf(at: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit' }).formatToParts(at);
  const y = parts.find((p) => p.type === 'year')!.value;
  const m = parts.find((p) => p.type === 'month')!.value;
  return `${y}-${m}`;
}

export function nextPeriod(p: string): string {
  const [y, m] = p.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

async function closedPeriods(db: Queryable): Promise<Set<string>> {
  return new Set((await db.selectFrom('settlement_periods').select('period').execute()).map((r) => r.period));
}

/** The period an entry of month `p` is booked in: p, or the next open one when p is closed. */
function bookingPeriod(p: string, closed: Set<string>): string {
  let q = p;
  while (closed.has(q)) q = nextPeriod(q);
  return q;
}

/** Closed months → the period their entries are booked in now, as JSON for SQL. */
function closedMap(closed: Set<string>): string {
  return JSON.stringify([...closed].map((p) => ({ month: p, period: bookingPeriod(p, closed) })));
}

/** Start and end (exclusive) of a period in the time zone, as instants. */
async function periodBounds(db: Queryable, tz: string, period: string): Promise<{ start: Date; end: Date }> {
  const r = await sql<{ start: Date; end: Date }>`
    SELECT (${period + '-01'}::date::timestamp AT TIME ZONE ${tz}) AS start,
           ((${period + '-01'}::date + interval '1 month')::timestamp AT TIME ZONE ${tz}) AS "end"`.execute(db);
  return { start: new Date(r.rows[0].start), end: new Date(r.rows[0].end) };
}

// ---------------------------------------------------------------------------------------------
// Booking

/** The events settlements follow (workers.ts). */
export const SETTLEMENT_EVENTS = ['order.completed', 'order.returned'];

const PERIOD_LOCK = sql`hashtext('settlements.periods')`;

interface CreditScope {
  id: string;
  at: string;
  event_id: string | null;
}

/**
 * Books the credits of these orders (those that qualify and have none yet), then reversals of the
 * returns they already had. Set-based: the demo's history goes through here too.
 */
async function bookCredits(tx: Tx, tz: string, scope: CreditScope[] | 'history'): Promise<string[]> {
  const share = await getRevenueShare(tx);
  const bp = bpOf(share);
  const closed = await closedPeriods(tx);
  const source =
    scope === 'history'
      ? sql`(SELECT o.id, f.last_change AS at, NULL::bigint AS event_id FROM ${orderFacts} o
             JOIN ${fulfilmentTimes} f ON f.order_id = o.id WHERE o.status = 'completed')`
      : sql`(SELECT id, at::timestamptz AS at, event_id::bigint AS event_id
             FROM json_to_recordset(${JSON.stringify(scope)}::json) AS j(id text, at text, event_id text))`;
  const margin = share.basis === 'margin';
  const credited = await sql<{ order_id: string }>`
    WITH ords AS (
      SELECT s.id, s.at, s.event_id, o.location_id FROM ${source} s JOIN ${orderFacts} o ON o.id = s.id
      WHERE o.channel <> 'pos' AND o.fulfilment <> 'in_store' AND o.status = 'completed'
        AND o.location_id IN ${shopIds}
        AND NOT EXISTS (SELECT 1 FROM settlement_entries e WHERE e.entry_key = 'credit:' || s.id)),
    lines AS (
      SELECT o.id, l.sku, l.qty, l.amount::bigint AS net, p.cost_price::bigint AS unit_cost
      FROM ords o JOIN ${orderLineFacts} l ON l.order_id = o.id LEFT JOIN ${productCosts} p ON p.sku = l.sku),
    per AS (
      SELECT id,
             sum(CASE WHEN ${margin} AND unit_cost IS NOT NULL THEN net - unit_cost * qty ELSE net END)::bigint AS basis,
             bool_or(${margin} AND unit_cost IS NULL) AS cost_missing,
             json_agg(json_build_object('sku', sku, 'qty', qty, 'net', net, 'unit_cost', unit_cost) ORDER BY sku) AS lines
      FROM lines GROUP BY id),
    months AS (SELECT month, period FROM json_to_recordset(${closedMap(closed)}::json) AS m(month text, period text))
    INSERT INTO settlement_entries
      (entry_key, period, location_id, order_id, kind, basis_kind, percent_bp, basis, amount, cost_missing, lines, at, event_id)
    SELECT 'credit:' || o.id, coalesce(m.period, to_char(o.at AT TIME ZONE ${tz}, 'YYYY-MM')), o.location_id, o.id,
           'credit', ${share.basis}, ${bp}, per.basis, ${shareSql(sql`per.basis * ${bp}::bigint`)}, per.cost_missing,
           per.lines::jsonb, o.at, o.event_id
    FROM ords o JOIN per ON per.id = o.id
    LEFT JOIN months m ON m.month = to_char(o.at AT TIME ZONE ${tz}, 'YYYY-MM')
    ORDER BY o.id
    ON CONFLICT (entry_key) DO NOTHING
    RETURNING order_id`.execute(tx);
  const orderIds = credited.rows.map((r) => r.order_id);
  if (orderIds.length === 0) return [];
  // Returns made before the completion: reversed now, dated by the completion.
  const earlier = await sql<{ return_id: string }>`
    SELECT r.return_id FROM ${returnLineFacts} r WHERE r.order_id = ANY(${orderIds}::text[])
    GROUP BY r.return_id, r.created_at ORDER BY r.created_at, r.return_id`.execute(tx);
  for (const r of earlier.rows) await bookReversal(tx, tz, r.return_id, null, closed);
  return orderIds;
}

/** Books the reversal of a return of a credited order (nothing when the order earned no credit). */
async function bookReversal(
  tx: Tx,
  tz: string,
  returnId: string,
  eventId: string | null,
  closed: Set<string>,
): Promise<boolean> {
  const lines = (
    await sql<{ order_id: string; created_at: Date; sku: string; qty: number; amount: string }>`
      SELECT order_id, created_at, sku, qty, amount::text AS amount FROM ${returnLineFacts} r WHERE r.return_id = ${returnId}
      ORDER BY sku`.execute(tx)
  ).rows;
  if (lines.length === 0) return false;
  const orderId = lines[0].order_id;
  const credit = await tx
    .selectFrom('settlement_entries')
    .selectAll()
    .where('entry_key', '=', 'credit:' + orderId)
    .executeTakeFirst();
  if (!credit) return false;
  const done = await tx
    .selectFrom('settlement_entries')
    .select('entry_key')
    .where('entry_key', '=', 'reversal:' + returnId)
    .executeTakeFirst();
  if (done) return false;
  const margin = credit.basis_kind === 'margin';
  const credited = new Map(credit.lines.map((l) => [l.sku, l]));
  let returned = 0;
  let costMissing = false;
  const revLines: CreditedLine[] = [];
  for (const l of lines) {
    const c = credited.get(l.sku);
    const unitCost = c?.unit_cost ?? null;
    const net = Number(l.amount);
    if (margin && unitCost === null) costMissing = true;
    returned += margin && unitCost !== null ? net - unitCost * l.qty : net;
    revLines.push({ sku: l.sku, qty: l.qty, net, unit_cost: unitCost });
  }
  const prior = Number(
    (
      await sql<{
        b: string;
      }>`SELECT coalesce(sum(basis), 0)::text AS b FROM settlement_entries WHERE order_id = ${orderId}`.execute(tx)
    ).rows[0].b,
  );
  const basis = -returned;
  const amount = shareOf(credit.percent_bp, prior + basis) - shareOf(credit.percent_bp, prior);
  const returnedAt = new Date(lines[0].created_at);
  const at = returnedAt.getTime() < credit.at.getTime() ? credit.at : returnedAt;
  await tx
    .insertInto('settlement_entries')
    .values({
      entry_key: 'reversal:' + returnId,
      period: bookingPeriod(periodOf(at, tz), closed),
      location_id: credit.location_id,
      order_id: orderId,
      return_id: returnId,
      kind: 'reversal',
      basis_kind: credit.basis_kind,
      percent_bp: credit.percent_bp,
      basis,
      amount,
      cost_missing: costMissing,
      lines: JSON.stringify(revLines),
      at,
      event_id: eventId,
    })
    .onConflict((oc) => oc.column('entry_key').doNothing())
    .execute();
  return true;
}

/**
 * Applies a dispatched batch of order events inside the dispatcher's transaction: completions book
 * credits, returns reversals. Events applied before are skipped.
 */
export async function applySettlementEvents(tx: Tx, tz: string, events: PublishedEvent[]): Promise<void> {
  const relevant = events.filter(
    (e) =>
      (e.type === 'order.completed' && typeof e.payload.order_id === 'string') ||
      (e.type === 'order.returned' && typeof e.payload.return_id === 'string'),
  );
  if (relevant.length === 0) return;
  const fresh = new Set(
    (
      await sql<{ event_id: string }>`
        INSERT INTO settlement_applied_events (event_id)
        SELECT unnest(string_to_array(${relevant.map((e) => e.id).join(',')}, ','))::bigint
        ON CONFLICT (event_id) DO NOTHING RETURNING event_id::text AS event_id`.execute(tx)
    ).rows.map((r) => r.event_id),
  );
  const todo = relevant.filter((e) => fresh.has(e.id)).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  if (todo.length === 0) return;
  await sql`SELECT pg_advisory_xact_lock_shared(${PERIOD_LOCK})`.execute(tx);
  const orders = [...new Set(todo.map((e) => String(e.payload.order_id ?? e.aggregateId)))].sort(byteOrder);
  await sql`SELECT pg_advisory_xact_lock(hashtextextended('settle:' || k, 0)) FROM unnest(${orders}::text[]) AS k`.execute(
    tx,
  );
  const closed = await closedPeriods(tx);
  for (const e of todo) {
    if (e.type === 'order.completed') {
      const at = typeof e.payload.completed_at === 'string' ? e.payload.completed_at : e.occurredAt.toISOString();
      await bookCredits(tx, tz, [{ id: String(e.payload.order_id), at, event_id: e.id }]);
    } else await bookReversal(tx, tz, String(e.payload.return_id), e.id, closed);
  }
}

/** Forgets applied event ids older than 7 days (an event is never dispatched again that late). */
export async function pruneSettlementEvents(db: Queryable, now = new Date()): Promise<number> {
  const r = await db
    .deleteFrom('settlement_applied_events')
    .where('applied_at', '<', new Date(now.getTime() - 7 * 86400_000))
    .executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

/**
 * Books the credits (and reversals) of completed orders that have none yet: the demo's history and
 * orders imported or completed before this module existed. Dated by the fulfilment's last change.
 */
export async function bookHistory(database: Database, tz: string): Promise<{ credits: number }> {
  const n = await transact(database, async (tx) => {
    await sql`SELECT pg_advisory_xact_lock_shared(${PERIOD_LOCK})`.execute(tx);
    return (await bookCredits(tx, tz, 'history')).length;
  });
  return { credits: n };
}

// ---------------------------------------------------------------------------------------------
// Statements

export interface StoreStatement {
  location_id: string;
  orders: number;
  credits: number;
  reversals: number;
  net: number;
  flagged: number;
}

export interface Statement {
  period: string;
  status: 'open' | 'closed';
  closed_at: string | null;
  closed_by: string | null;
  early: boolean | null;
  currency: string;
  timezone: string;
  stores: StoreStatement[];
  totals: Omit<StoreStatement, 'location_id'>;
}

async function periodStatus(db: Queryable, period: string) {
  return db.selectFrom('settlement_periods').selectAll().where('period', '=', period).executeTakeFirst();
}

/** A month's statement: per store the orders listed, credits, reversals (negative) and net, fen. */
export async function statement(
  db: Queryable,
  o: { timezone: string; currency: string },
  period: string,
  locationId?: string,
): Promise<Statement> {
  const closed = await periodStatus(db, period);
  let q = db
    .selectFrom('settlement_entries')
    .select((eb) => [
      'location_id',
      sql<string>`count(DISTINCT order_id)`.as('order_count'),
      sql<string>`coalesce(sum(amount) FILTER (WHERE kind = 'credit'), 0)`.as('credits'),
      sql<string>`coalesce(sum(amount) FILTER (WHERE kind = 'reversal'), 0)`.as('reversals'),
      eb.fn.sum<string>('amount').as('net'),
      sql<string>`count(*) FILTER (WHERE cost_missing)`.as('flagged'),
    ])
    .where('period', '=', period)
    .groupBy('location_id')
    .orderBy('location_id');
  if (locationId) q = q.where('location_id', '=', locationId);
  const stores = (await q.execute()).map((r) => ({
    location_id: r.location_id,
    orders: Number(r.order_count),
    credits: Number(r.credits),
    reversals: Number(r.reversals),
    net: Number(r.net),
    flagged: Number(r.flagged),
  }));
  const totals = stores.reduce(
    (t, s) => ({
      orders: t.orders + s.orders,
      credits: t.credits + s.credits,
      reversals: t.reversals + s.reversals,
      net: t.net + s.net,
      flagged: t.flagged + s.flagged,
    }),
    { orders: 0, credits: 0, reversals: 0, net: 0, flagged: 0 },
  );
  return {
    period,
    status: closed ? 'closed' : 'open',
    closed_at: closed ? closed.closed_at.toISOString() : null,
    closed_by: closed ? closed.closed_by : null,
    early: closed ? closed.early : null,
    currency: o.currency,
    timezone: o.timezone,
    stores,
    totals,
  };
}

export interface StatementItem {
  order_id: string;
  return_id: string | null;
  kind: 'credit' | 'reversal';
  basis_kind: Basis;
  percent: number;
  basis: number;
  amount: number;
  cost_missing: boolean;
  at: string;
}

/** A store's statement for a month, entry by entry (signed amounts summing to net). */
export async function statementItems(db: Queryable, period: string, locationId: string) {
  const rows = await db
    .selectFrom('settlement_entries')
    .select(['order_id', 'return_id', 'kind', 'basis_kind', 'percent_bp', 'basis', 'amount', 'cost_missing', 'at'])
    .where('period', '=', period)
    .where('location_id', '=', locationId)
    .orderBy('at')
    .orderBy('entry_key')
    .execute();
  const items: StatementItem[] = rows.map((r) => ({
    order_id: r.order_id,
    return_id: r.return_id,
    kind: r.kind,
    basis_kind: r.basis_kind,
    percent: r.percent_bp / 100,
    basis: Number(r.basis),
    amount: Number(r.amount),
    cost_missing: r.cost_missing,
    at: new Date(r.at).toISOString(),
  }));
  const closed = await periodStatus(db, period);
  return {
    period,
    location_id: locationId,
    status: (closed ? 'closed' : 'open') as 'open' | 'closed',
    net: items.reduce((t, i) => t + i.amount, 0),
    items,
  };
}

const CSV_COLUMNS = [
  'order_id',
  'return_id',
  'kind',
  'basis_kind',
  'percent',
  'basis',
  'amount',
  'cost_missing',
  'at',
] as const;

/** The items as CSV (fen), one line per entry, then nothing else: the amounts sum to the statement's net. */
export function itemsCsv(items: StatementItem[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const i of items) lines.push(CSV_COLUMNS.map((c) => String(i[c] ?? '')).join(','));
  return lines.join('\r\n') + '\r\n';
}

/**
 * Closes a period: its statement never changes again; later entries dated in it go to the next open
 * period. A period that has not ended yet closes only with `early`.
 */
export async function closePeriod(
  database: Database,
  tz: string,
  period: string,
  by: { principal: Principal | null; name: string },
  early: boolean,
  now = new Date(),
): Promise<void> {
  if (!isPeriod(period)) throw unprocessable('invalid_period', 'period is YYYY-MM', 'period');
  await transact(database, async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${PERIOD_LOCK})`.execute(tx);
    if (await periodStatus(tx, period)) throw conflict('period_closed', `${period} is already closed`, 'period');
    const { start, end } = await periodBounds(tx, tz, period);
    if (now.getTime() < start.getTime())
      throw unprocessable('period_not_started', `${period} has not started yet`, 'period');
    if (now.getTime() < end.getTime() && !early)
      throw unprocessable(
        'period_not_ended',
        `${period} has not ended yet: close it early ({"early": true}, or santong settle --early)`,
        'early',
      );
    await tx
      .insertInto('settlement_periods')
      .values({
        period,
        closed_at: now,
        closed_by: by.name,
        closed_role: by.principal?.role ?? 'system',
        early: now.getTime() < end.getTime(),
      })
      .execute();
    await audit(tx, by.principal, {
      action: 'settlement.period_closed',
      subject: period,
      details: { early: now.getTime() < end.getTime() },
    });
  });
}

/**
 * What each of these stores earned in revenue share between two days of the retailer's time zone
 * (inclusive), by the date of each credit and reversal (fen), in one grouped query: for the store
 * league and scorecards. A store with nothing booked gets zeros. An order is credited once (entry_key
 * 'credit:<order id>'), so credits count orders.
 */
export async function revenueSharesBetween(
  db: Queryable,
  tz: string,
  locationIds: readonly string[],
  from: string,
  to: string,
): Promise<Map<string, { orders: number; credits: number; reversals: number; net: number }>> {
  const r = await sql<{ location_id: string; orders: string; credits: string; reversals: string; net: string }>`
    SELECT location_id, count(*) FILTER (WHERE kind = 'credit') AS orders,
           coalesce(sum(amount) FILTER (WHERE kind = 'credit'), 0) AS credits,
           coalesce(sum(amount) FILTER (WHERE kind = 'reversal'), 0) AS reversals,
           coalesce(sum(amount), 0) AS net
    FROM settlement_entries
    WHERE location_id = ANY(${[...locationIds]}::text[])
      AND at >= (${from}::date::timestamp AT TIME ZONE ${tz})
      AND at < ((${to}::date + 1)::timestamp AT TIME ZONE ${tz})
    GROUP BY location_id`.execute(db);
  const found = new Map(r.rows.map((x) => [x.location_id, x]));
  return new Map(
    locationIds.map((id) => {
      const x = found.get(id);
      return [
        id,
        {
          orders: Number(x?.orders ?? 0),
          credits: Number(x?.credits ?? 0),
          reversals: Number(x?.reversals ?? 0),
          net: Number(x?.net ?? 0),
        },
      ];
    }),
  );
}
