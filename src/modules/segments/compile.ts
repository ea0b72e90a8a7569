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

const since = (asOf: Date, days: number) => sql`${new Date(asOf.getTime() - days * DAY_MS).toISOString()}::timestamptz`;
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
 * People whose rows (`root`, `ref`, `amount`) aggregate as required: the number of distinct refs
 * and the sum of amounts. People with no rows at all have 0 and 0, so when zeros pass, the set is
 * everyone but those whose aggregate fails.
 */
function aggregated(rows: Predicate, scope: Scope, count?: Comparison<number>, sum?: Comparison<number>): Predicate {
  // "at least one": EXISTS (a semi-join, or an anti-join under NOT), which the planner may drive
  // from the smaller side, with no GROUP BY over every matching row
  const atLeastOne = count && Object.keys(count).length === 1 && (count.gte === 1 || count.gt === 0);
  if (atLeastOne && !sum) return sql`EXISTS (SELECT 1 FROM ${rows} r WHERE r.root = p.id)`;
  const checks = [...(count ? [compared(sql`r.n`, count)] : []), ...(sum ? [compared(sql`r.total`, sum)] : [])];
  const holds = checks.length ? sql.join(checks, sql` AND `) : sql`true`;
  const grouped = sql`(SELECT a.root, count(DISTINCT a.ref) AS n, coalesce(sum(a.amount), 0) AS total
    FROM ${rows} a GROUP BY a.root)`;
  const zeros = (!count || holdsAtZero(count)) && (!sum || holdsAtZero(sum)) && checks.length > 0;
  return zeros
    ? everyoneWhere(grouped, sql`r.root IS NULL OR (${holds})`, scope)
    : sql`p.id IN (SELECT r.root FROM ${grouped} r WHERE ${holds})`;
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

function event(e: EventLeaf, asOf: Date, scope: Scope, from?: Date): Predicate {
  const rows = sql`(SELECT e.root, e.event_id AS ref, 0 AS amount FROM ${groupEvents} e
    WHERE e.type = ${e.type}::text ${after(sql`e.occurred_at`, from)}
      ${e.properties ? sql`AND e.properties @> ${json(e.properties)}` : sql``}
      ${e.within_days ? sql`AND e.occurred_at > ${since(asOf, e.within_days)}` : sql``}
      ${inScope(scope, sql`e.root`)})`;
  return aggregated(rows, scope, e.count ?? { gte: 1 });
}

/** People with matching orders, the share (0..1) of which that used a coupon is as `cmp` says; no orders, no share. */
function couponShare(rows: Predicate, cmp: Comparison<number>): Predicate {
  const share = sql`(count(DISTINCT r.ref) FILTER (WHERE r.coupon))::float8 / count(DISTINCT r.ref)`;
  return sql`p.id IN (SELECT r.root FROM ${rows} r GROUP BY r.root HAVING ${compared(share, cmp, (v) => sql`${v}::double precision`)})`;
}

/** Orders under the people they belong to (`root`; customers' underPeople: join to `p`). */
const peopleOrders = underPeople(orderSummaries);

/** Sales (orders' isSale). Amounts are order totals less refunds, or matching lines' amounts. */
function ordered(o: OrderedLeaf, asOf: Date, scope: Scope, from?: Date): Predicate {
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
  const counted = aggregated(rows, scope, o.count ?? (o.spend || o.coupon_share ? undefined : { gte: 1 }), o.spend);
  return o.coupon_share ? sql`(${counted} AND ${couponShare(rows, o.coupon_share)})` : counted;
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

/**
 * The predicate on `p` (a row of segmentPeople) that the rule states, evaluated at `asOf`; `entry`
 * is when the person entered a journey (its since_entry leaves), absent for segments.
 */
function predicate(rule: Rule, asOf: Date, scope: Scope, entry?: Date): Predicate {
  if ('all' in rule)
    return sql`(${sql.join(
      rule.all.map((r) => predicate(r, asOf, scope, entry)),
      sql` AND `,
    )})`;
  if ('any' in rule)
    return sql`(${sql.join(
      rule.any.map((r) => predicate(r, asOf, scope, entry)),
      sql` OR `,
    )})`;
  if ('not' in rule) return sql`NOT ${predicate(rule.not, asOf, scope, entry)}`;
  if ('since_entry' in rule) {
    // without an entry time (never for journeys), "since entry" is "ever"
    const leaf = rule.since_entry;
    return 'event' in leaf ? event(leaf.event, asOf, scope, entry) : ordered(leaf.ordered, asOf, scope, entry);
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
  if ('event' in rule) return event(rule.event, asOf, scope);
  if ('ordered' in rule) return ordered(rule.ordered, asOf, scope);
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

/**
 * Every person the rule selects, as `(id)` rows: a FROM-clause fragment; with a scope, only those
 * of the scope's people it selects (the same answer for them as over the whole base).
 */
export const members = (rule: Rule, asOf: Date, scope?: Scope, entry?: Date) =>
  sql<{
    id: string;
  }>`(SELECT p.id FROM ${segmentPeople} p WHERE ${predicate(rule, asOf, scope, entry)} ${inScope(scope, sql`p.id`)})`;
