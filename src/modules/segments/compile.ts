import { sql, type RawBuilder } from 'kysely';
import { productFacts } from '../catalog/public';
import { customerRoots, groupConsents, groupEvents, groupTags, segmentPeople } from '../customers/public';
import { clvFacts } from '../clv/public';
import { orderLines, orderSummaries } from '../orders/public';
import { couponOrders } from '../loyalty/coupons/public';
import { computedTagMembers } from './tag-members';
import type { ClvLeaf, Comparison, EventLeaf, OrderedLeaf, Rule, TraitLeaf } from './rule';

/**
 * Compiles a checked rule into one set-based SQL query over the whole base: a predicate on `p`, a
 * row of customers/public.ts's segmentPeople (roots only, never erased or anonymous), where each
 * leaf is an EXISTS or IN over a group-wide fragment. Every value is a bound parameter.
 */

type Predicate = RawBuilder<unknown>;
const DAY_MS = 86_400_000;
const OPERATORS = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

const since = (asOf: Date, days: number) => sql`${new Date(asOf.getTime() - days * DAY_MS).toISOString()}::timestamptz`;
const json = (v: unknown) => sql`${JSON.stringify(v)}::jsonb`;

/** `expr` compared as `cmp` says (every operator given must hold). */
function compared(expr: Predicate, cmp: Comparison<number>, type: 'bigint' | 'float8' = 'bigint'): Predicate {
  const parts: Predicate[] = [];
  const cast = sql.raw(type);
  for (const op of Object.keys(OPERATORS) as (keyof typeof OPERATORS)[]) {
    const v = cmp[op];
    if (v !== undefined) parts.push(sql`${expr} ${sql.raw(OPERATORS[op])} ${v}::${cast}`);
  }
  if (cmp.in) parts.push(sql`${expr} IN (${sql.join(cmp.in.map((v) => sql`${v}::${cast}`))})`);
  return sql.join(parts, sql` AND `);
}

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
 * People whose rows (`root`, `ref`, `amount`) aggregate as required: the number of distinct refs
 * and the sum of amounts. People with no rows at all have 0 and 0, so when zeros pass, the set is
 * everyone but those whose aggregate fails.
 */
function aggregated(rows: Predicate, count?: Comparison<number>, sum?: Comparison<number>): Predicate {
  // "at least one": EXISTS (a semi-join, or an anti-join under NOT), which the planner may drive
  // from the smaller side, with no GROUP BY over every matching row
  const atLeastOne = count && Object.keys(count).length === 1 && (count.gte === 1 || count.gt === 0);
  if (atLeastOne && !sum) return sql`EXISTS (SELECT 1 FROM ${rows} r WHERE r.root = p.id)`;
  const checks = [
    ...(count ? [compared(sql`count(DISTINCT r.ref)`, count)] : []),
    ...(sum ? [compared(sql`coalesce(sum(r.amount), 0)`, sum)] : []),
  ];
  const having = checks.length ? sql.join(checks, sql` AND `) : sql`true`;
  const zeros = (!count || holdsAtZero(count)) && (!sum || holdsAtZero(sum)) && checks.length > 0;
  return zeros
    ? sql`p.id NOT IN (SELECT r.root FROM ${rows} r GROUP BY r.root HAVING NOT (${having}))`
    : sql`p.id IN (SELECT r.root FROM ${rows} r GROUP BY r.root HAVING ${having})`;
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

function event(e: EventLeaf, asOf: Date): Predicate {
  const rows = sql`(SELECT e.root, e.event_id AS ref, 0 AS amount FROM ${groupEvents} e
    WHERE e.type = ${e.type}::text
      ${e.properties ? sql`AND e.properties @> ${json(e.properties)}` : sql``}
      ${e.within_days ? sql`AND e.occurred_at > ${since(asOf, e.within_days)}` : sql``})`;
  return aggregated(rows, e.count ?? { gte: 1 });
}

/** People with matching orders, the share (0..1) of which that used a coupon is as `cmp` says; no orders, no share. */
function couponShare(rows: Predicate, cmp: Comparison<number>): Predicate {
  const share = sql`(count(DISTINCT r.ref) FILTER (WHERE r.coupon))::float8 / count(DISTINCT r.ref)`;
  return sql`p.id IN (SELECT r.root FROM ${rows} r GROUP BY r.root HAVING ${compared(share, cmp, 'float8')})`;
}

/** Sales: paid and neither cancelled nor expired. Amounts are order totals less refunds, or matching lines' amounts. */
function ordered(o: OrderedLeaf, asOf: Date): Predicate {
  const byLine = o.sku !== undefined || o.category !== undefined;
  const rows = sql`(SELECT c.root, o.id AS ref, ${byLine ? sql`l.amount` : sql`o.total - o.refunded_total`} AS amount
      ${o.coupon_share ? sql`, o.id IN (SELECT cr.order_ref FROM ${couponOrders} cr) AS coupon` : sql``}
    FROM ${orderSummaries} o JOIN ${customerRoots} c ON c.id = o.customer_id
    ${byLine ? sql`JOIN ${orderLines} l ON l.order_id = o.id` : sql``}
    ${o.category !== undefined ? sql`JOIN ${productFacts} pf ON pf.sku = l.sku` : sql``}
    WHERE o.paid_at IS NOT NULL AND o.status NOT IN ('cancelled', 'expired')
      ${o.sku !== undefined ? sql`AND l.sku = ${o.sku}::text` : sql``}
      ${o.category !== undefined ? sql`AND pf.category = ${o.category}::text` : sql``}
      ${o.channel !== undefined ? sql`AND o.channel = ${o.channel}::text` : sql``}
      ${o.location_id !== undefined ? sql`AND o.location_id = ${o.location_id}::text` : sql``}
      ${o.within_days ? sql`AND o.placed_at > ${since(asOf, o.within_days)}` : sql``})`;
  const counted = aggregated(rows, o.count ?? (o.spend || o.coupon_share ? undefined : { gte: 1 }), o.spend);
  return o.coupon_share ? sql`(${counted} AND ${couponShare(rows, o.coupon_share)})` : counted;
}

/**
 * People scored in the latest done CLV run whose predictions pass every comparison given, compared
 * as double precision (p_alive is a fraction); before any run is done, nobody.
 */
function clv(leaf: ClvLeaf): Predicate {
  const parts: Predicate[] = [];
  for (const field of ['p_alive', 'expected_orders', 'expected_value'] as const) {
    const cmp = leaf[field];
    if (!cmp) continue;
    const v = sql.ref(`v.${field}`);
    for (const op of Object.keys(OPERATORS) as (keyof typeof OPERATORS)[])
      if (cmp[op] !== undefined) parts.push(sql`${v} ${sql.raw(OPERATORS[op])} ${cmp[op]}::float8`);
    if (cmp.in) parts.push(sql`${v} IN (${sql.join(cmp.in.map((x) => sql`${x}::float8`))})`);
  }
  return sql`p.id IN (SELECT v.root FROM ${clvFacts} v WHERE ${sql.join(parts, sql` AND `)})`;
}

/** The predicate on `p` (a row of segmentPeople) that the rule states, evaluated at `asOf`. */
function predicate(rule: Rule, asOf: Date): Predicate {
  if ('all' in rule)
    return sql`(${sql.join(
      rule.all.map((r) => predicate(r, asOf)),
      sql` AND `,
    )})`;
  if ('any' in rule)
    return sql`(${sql.join(
      rule.any.map((r) => predicate(r, asOf)),
      sql` OR `,
    )})`;
  if ('not' in rule) return sql`NOT ${predicate(rule.not, asOf)}`;
  if ('trait' in rule) return trait(rule.trait);
  if ('tag' in rule)
    // a manual tag of any member of the group, or a computed tag's membership (kept under the root)
    return sql`(EXISTS (SELECT 1 FROM ${groupTags} t WHERE t.root = p.id AND t.tag = ${rule.tag}::text)
      OR p.id IN (SELECT m.customer_id FROM ${computedTagMembers(rule.tag)} m))`;
  if ('created' in rule) return sql`p.created_at > ${since(asOf, rule.created.within_days)}`;
  if ('consent' in rule) {
    const granted = sql`EXISTS (SELECT 1 FROM ${groupConsents} k
      WHERE k.root = p.id AND k.purpose = ${rule.consent.purpose}::text AND k.granted)`;
    return rule.consent.granted ? granted : sql`NOT ${granted}`;
  }
  if ('event' in rule) return event(rule.event, asOf);
  if ('clv' in rule) return clv(rule.clv);
  return ordered(rule.ordered, asOf);
}

/** Every person the rule selects, as `(id)` rows: a FROM-clause fragment. */
export const members = (rule: Rule, asOf: Date) =>
  sql<{ id: string }>`(SELECT p.id FROM ${segmentPeople} p WHERE ${predicate(rule, asOf)})`;
