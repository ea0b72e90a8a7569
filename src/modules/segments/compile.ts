import { sql, type RawBuilder } from 'kysely';
import { latestRfmScores } from '../audiences/public';
import { productFacts } from '../catalog/public';
import { clvFacts } from '../clv/public';
import { groupConsents, groupEvents, groupTags, segmentPeople, underPeople } from '../customers/public';
import { storePoints } from '../locations/public';
import { couponOrders } from '../loyalty/coupons/public';
import { groupPointsBalances, groupTierRanks, tierLadder } from '../loyalty/public';
import { deliveryPoints, isSale, orderLines, orderSummaries } from '../orders/public';
import type {
  ClvLeaf,
  Comparison,
  EventLeaf,
  NearStoreLeaf,
  OrderedLeaf,
  RfmLeaf,
  Rule,
  TraitLeaf,
  VisitedStoreLeaf,
} from './rule';
import { computedTagMembers } from './tag-members';

/**
 * Compiles a checked rule into one set-based SQL query over the whole base: a predicate on `p`, a
 * row of customers/public.ts's segmentPeople (roots only, never erased or anonymous), where each
 * leaf is an EXISTS or IN over a group-wide fragment. Every value is a bound parameter.
 *
 * Plans at scale. In an `all` with a selective behavioural leaf (an event or order in a short
 * window: the driver), the other event and order leaves are compiled as correlated probes: a
 * sub-plan per candidate that reads that person's rows by index (orders_customer,
 * customer_events_customer, the rollup's key), never a semi-join the planner may build from a scan
 * of every order. Category purchases over long windows read the per-person rollup
 * (category-rollup.ts) when the caller synced it.
 */

type Predicate = RawBuilder<unknown>;

/**
 * The people a compilation is restricted to (incremental upkeep: those whose inputs changed), as
 * an SQL expression of a `text[]` of root ids; undefined: the whole base. Every leaf's rows are
 * restricted to it too, on their `root` (customers' coalesce(root_id, id), which is indexed), so an
 * incremental evaluation reads only the candidates' orders and events.
 */
export type Scope = RawBuilder<string[]> | undefined;
/** `AND col = ANY(scope)`, or nothing when unscoped. */
const inScope = (scope: Scope, col: Predicate) => (scope ? sql`AND ${col} = ANY(${scope})` : sql``);
/** A fragment of rows with a `root` column, restricted to the scope. */
const scopedRows = (rows: Predicate, scope: Scope) =>
  scope ? sql`(SELECT * FROM ${rows} sr WHERE sr.root = ANY(${scope}))` : rows;
const DAY_MS = 86_400_000;
const OPERATORS = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

const sinceIso = (asOf: Date, days: number) => new Date(asOf.getTime() - days * DAY_MS).toISOString();
const since = (asOf: Date, days: number) => sql`${sinceIso(asOf, days)}::timestamptz`;
const json = (v: unknown) => sql`${JSON.stringify(v)}::jsonb`;

/** `expr` compared as `cmp` says (every operator given must hold); each operand as `operand` renders it. */
function compared<T>(
  expr: Predicate,
  cmp: Comparison<T>,
  operand: (v: T) => Predicate = (v) => sql`${v}::bigint`,
): Predicate {
  const parts: Predicate[] = [];
  for (const op of Object.keys(OPERATORS) as (keyof typeof OPERATORS)[]) {
    const v = cmp[op];
    if (v !== undefined) parts.push(sql`${expr} ${sql.raw(OPERATORS[op])} ${operand(v)}`);
  }
  if (cmp.in) parts.push(sql`${expr} IN (${sql.join(cmp.in.map(operand))})`);
  return sql.join(parts, sql` AND `);
}
const numeric = (v: number) => sql`${v}::double precision`;
const label = (v: string) => sql`${v}::text`;

/** Does 0 pass `cmp`? Then a person with no matching rows passes too. */
function holdsAtZero(cmp: Comparison<number>): boolean {
  const { eq, neq, gt, gte, lt, lte } = cmp;
  return (
    (eq === undefined || eq === 0) &&
    (neq === undefined || neq !== 0) &&
    (gt === undefined || 0 > gt) &&
    (gte === undefined || 0 >= gte) &&
    (lt === undefined || 0 < lt) &&
    (lte === undefined || 0 <= lte) &&
    (cmp.in === undefined || cmp.in.includes(0))
  );
}

/**
 * People with a value row or without one, tested as one semi-join: `p.id IN (...)` over every
 * person left-joined to their row (`rows` with a `root` column, aliased `r`), where `test` holds
 * (`r.root IS NULL` for people without a row). Never `NOT IN`, which PostgreSQL cannot turn into
 * an anti-join and which turns quadratic once its set outgrows work_mem.
 */
const everyoneWhere = (rows: Predicate, test: Predicate, scope: Scope) =>
  sql`p.id IN (SELECT q.id FROM ${segmentPeople} q LEFT JOIN ${scopedRows(rows, scope)} r ON r.root = q.id
    WHERE (${test}) ${inScope(scope, sql`q.id`)})`;

/**
 * A leaf's rows per person: `rows` (with a `root` column, aliased `r` in `n` and `total`), how they
 * aggregate to the count and the amount compared (`n`, `total`: 0 for no rows), and `any`, rows
 * whose presence alone means a count of at least one.
 */
interface Measured {
  rows: Predicate;
  n: Predicate;
  total: Predicate;
  any: Predicate;
}
/** Rows of refs (`root`, `ref`, `amount`): the number of distinct refs and the sum of amounts. */
const refRows = (rows: Predicate): Measured => ({
  rows,
  n: sql`count(DISTINCT r.ref)`,
  total: sql`coalesce(sum(r.amount), 0)`,
  any: rows,
});

/** Does only a person with rows pass these comparisons (0 fails one), so that the leaf can drive an AND? */
const needsRows = (count?: Comparison<number>, sum?: Comparison<number>) =>
  (!count && !sum) || (count !== undefined && !holdsAtZero(count)) || (sum !== undefined && !holdsAtZero(sum));

/**
 * People whose rows aggregate as required. People with no rows at all have 0 and 0, so when zeros
 * pass, the set is everyone but those whose aggregate fails. `probe`: a correlated sub-plan per
 * person (the leaf follows a more selective one in an AND), which reads only that person's rows.
 */
function aggregated(
  m: Measured,
  scope: Scope,
  probe: boolean,
  count?: Comparison<number>,
  sum?: Comparison<number>,
): Predicate {
  const checks = [...(count ? [compared(sql`r.n`, count)] : []), ...(sum ? [compared(sql`r.total`, sum)] : [])];
  // "at least one": EXISTS (a semi-join, or an anti-join under NOT), which the planner may drive
  // from the smaller side, with no GROUP BY over every matching row. OFFSET 0 keeps a probe's
  // EXISTS a sub-plan (PostgreSQL turns no sub-query with an OFFSET into a join).
  const atLeastOne = count && Object.keys(count).length === 1 && (count.gte === 1 || count.gt === 0);
  if ((atLeastOne && !sum) || checks.length === 0)
    return sql`EXISTS (SELECT 1 FROM ${m.any} r WHERE r.root = p.id ${probe ? sql`OFFSET 0` : sql``})`;
  const holds = sql.join(checks, sql` AND `);
  if (probe)
    return sql`(SELECT ${holds} FROM (SELECT ${m.n} AS n, ${m.total} AS total FROM ${m.rows} r WHERE r.root = p.id) r)`;
  const grouped = sql`(SELECT r.root, ${m.n} AS n, ${m.total} AS total FROM ${m.rows} r GROUP BY r.root)`;
  return needsRows(count, sum)
    ? sql`p.id IN (SELECT r.root FROM ${grouped} r WHERE ${holds})`
    : everyoneWhere(grouped, sql`r.root IS NULL OR (${holds})`, scope);
}

function trait(t: TraitLeaf): Predicate {
  const v = sql`(p.traits -> ${t.name}::text)`;
  const parts: Predicate[] = [];
  if (t.eq !== undefined) parts.push(sql`${v} = ${json(t.eq)}`);
  if (t.neq !== undefined) parts.push(sql`${v} IS DISTINCT FROM ${json(t.neq)}`);
  if (t.in) parts.push(sql`${v} IN (${sql.join(t.in.map(json))})`);
  if (t.exists !== undefined)
    parts.push(sql`(jsonb_typeof(${v}) IS NOT NULL AND jsonb_typeof(${v}) <> 'null') = ${t.exists}`);
  if (t.contains !== undefined) {
    const inText = sql`jsonb_typeof(${v}) = 'string' AND strpos(${v} #>> '{}', ${String(t.contains)}::text) > 0`;
    parts.push(sql`(${v} @> ${json([t.contains])} OR (${inText}))`);
  }
  return sql`coalesce(${sql.join(parts, sql` AND `)}, false)`;
}

/** Only rows after this time (a journey's since_entry); no time, no bound. */
const after = (col: Predicate, at: Date | undefined) =>
  at ? sql`AND ${col} > ${at.toISOString()}::timestamptz` : sql``;

/**
 * The scope a leaf's rows are restricted to: none for a probe, whose rows are the person's own (a
 * candidate list there would be an index condition the planner may search once per probe).
 */
const rowsScope = (scope: Scope, probe: boolean): Scope => (probe ? undefined : scope);

function event(e: EventLeaf, ctx: Context, probe: boolean, from?: Date): Predicate {
  const { asOf } = ctx;
  const scope = rowsScope(ctx.scope, probe);
  const rows = sql`(SELECT e.root, e.event_id AS ref, 0 AS amount FROM ${groupEvents} e
    WHERE e.type = ${e.type}::text ${after(sql`e.occurred_at`, from)}
      ${e.properties ? sql`AND e.properties @> ${json(e.properties)}` : sql``}
      ${e.within_days ? sql`AND e.occurred_at > ${since(asOf, e.within_days)}` : sql``}
      ${inScope(scope, sql`e.root`)})`;
  return aggregated(refRows(rows), scope, probe, e.count ?? { gte: 1 });
}

/** People with matching orders, the share (0..1) of which that used a coupon is as `cmp` says; no orders, no share. */
function couponShare(rows: Predicate, cmp: Comparison<number>): Predicate {
  const share = sql`(count(DISTINCT r.ref) FILTER (WHERE r.coupon))::float8 / count(DISTINCT r.ref)`;
  return sql`p.id IN (SELECT r.root FROM ${rows} r GROUP BY r.root HAVING ${compared(share, cmp, (v) => sql`${v}::double precision`)})`;
}

/** Orders under the people they belong to (`root`; customers' underPeople: join to `p`). */
const peopleOrders = underPeople(orderSummaries);

/** Sales (orders' isSale). Amounts are order totals less refunds, or matching lines' amounts. */
function ordered(o: OrderedLeaf, ctx: Context, probe: boolean, from?: Date): Predicate {
  const { asOf } = ctx;
  // a coupon share is a set-based GROUP BY over the rows: restricted to the scope, always
  const scope = o.coupon_share ? ctx.scope : rowsScope(ctx.scope, probe);
  const count = o.count ?? (o.spend || o.coupon_share ? undefined : { gte: 1 });
  if (ctx.categoryRollup && readsCategoryRollup(o) && !from) {
    const since = o.within_days ? sinceIso(asOf, o.within_days) : undefined;
    return aggregated(categoryPurchases(o.category!, since, scope), scope, probe, count, o.spend);
  }
  const byLine = o.sku !== undefined || o.category !== undefined;
  const rows = sql`(SELECT o.root, o.id AS ref, ${byLine ? sql`l.amount` : sql`o.total - o.refunded_total`} AS amount
      ${o.coupon_share ? sql`, o.id IN (SELECT cr.order_ref FROM ${couponOrders} cr) AS coupon` : sql``}
    FROM ${peopleOrders} o
    ${byLine ? sql`JOIN ${orderLines} l ON l.order_id = o.id` : sql``}
    ${o.category !== undefined ? sql`JOIN ${productFacts} pf ON pf.sku = l.sku` : sql``}
    WHERE ${isSale('o')} ${after(sql`o.placed_at`, from)}
      ${o.sku !== undefined ? sql`AND l.sku = ${o.sku}::text` : sql``}
      ${o.category !== undefined ? sql`AND pf.category = ${o.category}::text` : sql``}
      ${o.channel !== undefined ? sql`AND o.channel = ${o.channel}::text` : sql``}
      ${o.location_id !== undefined ? sql`AND o.location_id = ${o.location_id}::text` : sql``}
      ${o.within_days ? sql`AND o.placed_at > ${since(asOf, o.within_days)}` : sql``}
      ${inScope(scope, sql`o.root`)})`;
  const counted = aggregated(refRows(rows), scope, probe, count, o.spend);
  return o.coupon_share ? sql`(${counted} AND ${couponShare(rows, o.coupon_share)})` : counted;
}

/** Windows at least this long read category purchases from the rollup (shorter ones: the window's lines). */
const LONG_WINDOW_DAYS = 90;

/**
 * Whether an `ordered` leaf is answered from the category rollup (when the caller synced it): a
 * category, no other filter, all time or a long window.
 */
export function readsCategoryRollup(o: OrderedLeaf): boolean {
  return (
    o.category !== undefined &&
    o.sku === undefined &&
    o.channel === undefined &&
    o.location_id === undefined &&
    o.coupon_share === undefined &&
    (!o.within_days || o.within_days >= LONG_WINDOW_DAYS)
  );
}

/**
 * A person's sales with a line of the category (placed after `sinceAt`, if given) from the rollup
 * (rows per customer id, under people by underPeople): the number of sales and the amount of the
 * category's lines. With a window, a customer id whose first such sale is inside it counts whole,
 * one whose last is before it does not count (not read), and only one with sales on both sides
 * has its sales in the window counted from its orders (by index: orders_customer).
 */
function categoryPurchases(category: string, sinceAt: string | undefined, scope: Scope): Measured {
  const own = sql`(SELECT customer_id, orders, amount, first_at FROM segment_category_rollup
    WHERE category = ${category}::text ${sinceAt ? sql`AND last_at > ${sinceAt}::timestamptz` : sql``})`;
  const under = scopedRows(underPeople(own), scope);
  const sums = { n: sql`coalesce(sum(r.orders), 0)`, total: sql`coalesce(sum(r.amount), 0)`, any: under };
  if (!sinceAt) return { rows: under, ...sums };
  const s = sql`${sinceAt}::timestamptz`;
  const rows = sql`(SELECT u.root, CASE WHEN u.first_at > ${s} THEN u.orders ELSE w.n END AS orders,
      CASE WHEN u.first_at > ${s} THEN u.amount ELSE w.total END AS amount
    FROM ${under} u CROSS JOIN LATERAL (
      SELECT count(DISTINCT o.id) AS n, coalesce(sum(l.amount), 0) AS total
      FROM ${orderSummaries} o JOIN ${orderLines} l ON l.order_id = o.id JOIN ${productFacts} pf ON pf.sku = l.sku
      WHERE u.first_at <= ${s} AND o.customer_id = u.customer_id AND o.placed_at > ${s} AND ${isSale('o')}
        AND pf.category = ${category}::text) w)`;
  return { rows, ...sums };
}

/**
 * The person's tier, compared by rank on the ladder in force (eq/neq/in by code, gt..lte by rank:
 * `{"gte": "silver"}` is silver and above). Groups without a row in groupTierRanks are on the
 * lowest tier (rank 0); a code no longer on the ladder matches nobody.
 */
function tier(cmp: Comparison<string>, asOf: Date, scope: Scope): Predicate {
  const rankOf = (code: string) => sql`(SELECT l.rank FROM ${tierLadder} l WHERE l.code = ${code}::text)`;
  return everyoneWhere(groupTierRanks(asOf), compared(sql`coalesce(r.rank, 0)`, cmp, rankOf), scope);
}

/** People whose `value` (rows `root`, `value`; 0 for people without a row) compares as `cmp` says. */
function valued(rows: Predicate, cmp: Comparison<number>, scope: Scope): Predicate {
  return holdsAtZero(cmp)
    ? everyoneWhere(rows, compared(sql`coalesce(r.value, 0)`, cmp, numeric), scope)
    : sql`p.id IN (SELECT r.root FROM ${scopedRows(rows, scope)} r WHERE ${compared(sql`r.value`, cmp, numeric)})`;
}

/** Scores of the latest done RFM run (none yet: nobody matches); every field given must hold. */
function rfm(leaf: RfmLeaf, scope: Scope): Predicate {
  const parts: Predicate[] = [];
  if (leaf.segment) parts.push(compared(sql`s.segment`, leaf.segment, label));
  for (const k of ['r', 'f', 'm'] as const) {
    const c = leaf[k];
    if (c) parts.push(compared(sql.ref(`s.${k}`), c, numeric));
  }
  return sql`p.id IN (SELECT s.root FROM ${scopedRows(latestRfmScores, scope)} s WHERE ${sql.join(parts, sql` AND `)})`;
}

/** A POS sale at the store (any store without one) or a store_visit event there, within the window. */
function visitedStore(v: VisitedStoreLeaf, asOf: Date, scope: Scope): Predicate {
  const after = (col: Predicate) => (v.within_days ? sql`AND ${col} > ${since(asOf, v.within_days)}` : sql``);
  return sql`(p.id IN (SELECT o.root FROM ${peopleOrders} o
      WHERE o.channel = 'pos' AND ${isSale('o')}
        ${v.location_id !== undefined ? sql`AND o.location_id = ${v.location_id}::text` : sql``}
        ${after(sql`o.placed_at`)} ${inScope(scope, sql`o.root`)})
    OR p.id IN (SELECT e.root FROM ${groupEvents} e WHERE e.type = 'store_visit'
        ${v.location_id !== undefined ? sql`AND e.properties ->> 'location_id' = ${v.location_id}::text` : sql``}
        ${after(sql`e.occurred_at`)} ${inScope(scope, sql`e.root`)}))`;
}

/** Great-circle distance in km between two points (degrees), the haversine formula as locations/public.ts. */
const haversineKm = (lat1: Predicate, lng1: Predicate, lat2: Predicate, lng2: Predicate) =>
  sql`2 * 6371.0088 * asin(least(1, sqrt(power(sin(radians(${lat2} - ${lat1}) / 2), 2)
    + cos(radians(${lat1})) * cos(radians(${lat2})) * power(sin(radians(${lng2} - ${lng1}) / 2), 2))))`;

/**
 * Where each person is (`root`, `lat`, `lng`), best known first: the coordinates of the group's
 * last order with a delivery address; else their home store, the store named by the trait
 * `home_store`; else the store of their first POS sale. People with none of these have no row.
 */
export const personPoints = sql<{ root: string; lat: number; lng: number }>`(
  SELECT DISTINCT ON (x.root) x.root, x.lat, x.lng FROM (
    SELECT d.root, 1 AS source, -extract(epoch FROM d.placed_at) AS ord, d.lat, d.lng
    FROM ${underPeople(deliveryPoints)} d
    UNION ALL
    SELECT h.id, 2, 0, l.lat, l.lng FROM ${segmentPeople} h JOIN ${storePoints} l ON l.id = h.traits ->> 'home_store'
    UNION ALL
    SELECT o.root, 3, extract(epoch FROM o.placed_at), l.lat, l.lng
    FROM ${peopleOrders} o JOIN ${storePoints} l ON l.id = o.location_id
    WHERE o.channel = 'pos' AND ${isSale('o')}
  ) x ORDER BY x.root, x.source, x.ord)`;

/** People within `km` of the store (of any store without one), from where they are (personPoints). */
function nearStore(n: NearStoreLeaf, scope: Scope): Predicate {
  return sql`p.id IN (SELECT w.root FROM ${scopedRows(personPoints, scope)} w JOIN ${storePoints} l
      ON ${n.location_id !== undefined ? sql`l.id = ${n.location_id}::text` : sql`true`}
    WHERE ${haversineKm(sql`w.lat`, sql`w.lng`, sql`l.lat`, sql`l.lng`)} <= ${n.km}::double precision)`;
}

/**
 * People scored in the latest done CLV run whose predictions pass every comparison given, compared
 * as double precision (p_alive is a fraction); before any run is done, nobody.
 */
function clv(leaf: ClvLeaf, scope: Scope): Predicate {
  const parts = (['p_alive', 'expected_orders', 'expected_value'] as const)
    .filter((field) => leaf[field] !== undefined)
    .map((field) => compared(sql.ref(`v.${field}`), leaf[field]!, numeric));
  return sql`p.id IN (SELECT v.root FROM ${scopedRows(clvFacts, scope)} v WHERE ${sql.join(parts, sql` AND `)})`;
}

/** What every leaf is compiled against: the evaluation time, the people restricted to, the rollup's readiness. */
interface Context {
  asOf: Date;
  scope: Scope;
  /** When the person entered a journey (its since_entry leaves), absent for segments. */
  entry?: Date;
  /** The category rollup is synced and may be read (category-rollup.ts). */
  categoryRollup: boolean;
}

/** Windows up to this long make an event or order leaf selective enough to drive an AND. */
const SELECTIVE_DAYS = 30;

/**
 * The child of an `all` that drives it — the event or order leaf in the shortest window, of at
 * most SELECTIVE_DAYS, that only people with rows pass — or -1.
 */
function driverOf(children: Rule[]): number {
  let best = -1;
  let bestDays = Infinity;
  children.forEach((r, i) => {
    let days: number | undefined;
    let selective = false;
    if ('event' in r) {
      days = r.event.within_days;
      selective = needsRows(r.event.count ?? { gte: 1 });
    } else if ('ordered' in r) {
      const o = r.ordered;
      days = o.within_days;
      selective = !o.coupon_share && needsRows(o.count ?? (o.spend ? undefined : { gte: 1 }), o.spend);
    }
    if (selective && days && days <= SELECTIVE_DAYS && days < bestDays) [best, bestDays] = [i, days];
  });
  return best;
}

/**
 * The predicate on `p` (a row of segmentPeople) that the rule states. `probe`: a more selective
 * leaf of an enclosing `all` restricts the people first, so event and order leaves read each
 * candidate's rows (correlated sub-plans).
 */
function predicate(rule: Rule, ctx: Context, probe = false): Predicate {
  const { asOf, scope, entry } = ctx;
  if ('all' in rule) {
    const driver = probe ? -1 : driverOf(rule.all);
    return sql`(${sql.join(
      rule.all.map((r, i) => predicate(r, ctx, probe || (driver >= 0 && i !== driver))),
      sql` AND `,
    )})`;
  }
  if ('any' in rule)
    return sql`(${sql.join(
      rule.any.map((r) => predicate(r, ctx, probe)),
      sql` OR `,
    )})`;
  if ('not' in rule) return sql`NOT ${predicate(rule.not, ctx, probe)}`;
  if ('since_entry' in rule) {
    // without an entry time (never for journeys), "since entry" is "ever"
    const leaf = rule.since_entry;
    return 'event' in leaf ? event(leaf.event, ctx, probe, entry) : ordered(leaf.ordered, ctx, probe, entry);
  }
  if ('trait' in rule) return trait(rule.trait);
  if ('tag' in rule)
    // a manual tag of any member of the group, or a computed tag's membership (kept under the root)
    return sql`(EXISTS (SELECT 1 FROM ${groupTags} t WHERE t.root = p.id AND t.tag = ${rule.tag}::text ${inScope(scope, sql`t.root`)})
      OR p.id IN (SELECT m.customer_id FROM ${computedTagMembers(rule.tag)} m WHERE true ${inScope(scope, sql`m.customer_id`)}))`;
  if ('created' in rule) return sql`p.created_at > ${since(asOf, rule.created.within_days)}`;
  if ('consent' in rule) {
    const granted = sql`EXISTS (SELECT 1 FROM ${groupConsents} k
      WHERE k.root = p.id AND k.purpose = ${rule.consent.purpose}::text AND k.granted ${inScope(scope, sql`k.root`)})`;
    return rule.consent.granted ? granted : sql`NOT ${granted}`;
  }
  if ('event' in rule) return event(rule.event, ctx, probe);
  if ('ordered' in rule) return ordered(rule.ordered, ctx, probe);
  if ('tier' in rule) return tier(rule.tier, asOf, scope);
  if ('points' in rule)
    return valued(sql`(SELECT b.root, b.balance AS value FROM ${groupPointsBalances} b)`, rule.points, scope);
  if ('rfm' in rule) return rfm(rule.rfm, scope);
  if ('lifecycle' in rule)
    return sql`p.id IN (SELECT s.root FROM ${scopedRows(latestRfmScores, scope)} s WHERE ${compared(sql`s.lifecycle`, rule.lifecycle, label)})`;
  if ('visited_store' in rule) return visitedStore(rule.visited_store, asOf, scope);
  if ('clv' in rule) return clv(rule.clv, scope);
  return nearStore(rule.near_store, scope);
}

/** How a rule is compiled beyond its inputs. */
export interface CompileOptions {
  /** The category rollup was synced just before (syncCategoryRollup returned true): read it. */
  categoryRollup?: boolean;
}

/**
 * Every person the rule selects, as `(id)` rows: a FROM-clause fragment; with a scope, only those
 * of the scope's people it selects (the same answer for them as over the whole base).
 */
export const members = (rule: Rule, asOf: Date, scope?: Scope, entry?: Date, opts: CompileOptions = {}) =>
  sql<{
    id: string;
  }>`(SELECT p.id FROM ${segmentPeople} p WHERE ${predicate(rule, { asOf, scope, entry, categoryRollup: opts.categoryRollup ?? false })} ${inScope(scope, sql`p.id`)})`;
