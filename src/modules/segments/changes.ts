import { sql, type RawBuilder } from 'kysely';
import { latestRfmRunFinishedAt } from '../audiences/public';
import { productsChangedAt } from '../catalog/public';
import { latestClvRunFinishedAt } from '../clv/public';
import {
  consentCustomersSince,
  customersCreatedBetween,
  eventCustomersBetween,
  eventCustomersSince,
  peopleOfIds,
  profilesChangedSince,
} from '../customers/public';
import { loyaltyCustomersChangedSince } from '../loyalty/public';
import { orderCustomersChangedSince, orderCustomersPlacedBetween } from '../orders/public';
import type { Rule } from './rule';
import './tables';

/**
 * Whom an incremental refresh re-checks: the people whose inputs to the rule changed since the
 * last refresh, read from each module's change feed (its public.ts), and those whose window edge
 * passed with time alone. A person outside this set has exactly the inputs, as far as the rule
 * can see, that they had at the last refresh, so their membership stands.
 *
 * | leaf | changes read | with time alone |
 * |---|---|---|
 * | every rule (who counts: merges, unmerges, erasure, kind) | profiles (updated_at, merges) | — |
 * | trait, tag (manual) | profiles (traits and tag writes bump updated_at) | — |
 * | tag (computed) | that tag's membership changes (segment_member_changes) | — |
 * | created | — | created in (last − days, now − days] |
 * | consent | consents recorded | — |
 * | event | events received (late ones too) | events of the type in (last − days, now − days] |
 * | ordered, near_store | orders changed (placed, paid, cancelled, returned) | orders placed in (last − days, now − days] |
 * | visited_store | orders changed, events received | both edges, as above |
 * | tier, points | loyalty entries, tier spend, tiers | tier spend crossing its 12-month window |
 * | rfm, lifecycle, clv | — (a newer finished run: full refresh) | — |
 * | ordered by category | — (a product changed: full refresh) | — |
 *
 * Rows are found by their write time, and a transaction may commit a little after the time it
 * wrote, so each feed is read from CHANGE_LAG_MS before the last refresh: a change is picked up
 * as long as its transaction took less than that. near_store's store coordinates and the tier
 * ladder have no feed: the periodic full refresh (SANTONG_SEGMENT_FULL_SECONDS) picks those up.
 */

/** The setting that says when a computed tag was last renamed or deleted (membership.ts). */
export const TAGS_CHANGED_KEY = 'segments.tags_renamed_or_deleted';

/** How far before the last refresh the change feeds are read again (see above). */
export const CHANGE_LAG_MS = 120_000;
const DAY_MS = 86_400_000;

type Ids = RawBuilder<{ id: string }>;
type Leaf = Exclude<Rule, { all: Rule[] } | { any: Rule[] } | { not: Rule }>;

export function leavesOf(rule: Rule): Leaf[] {
  if ('all' in rule) return rule.all.flatMap(leavesOf);
  if ('any' in rule) return rule.any.flatMap(leavesOf);
  if ('not' in rule) return leavesOf(rule.not);
  return [rule];
}

const minus = (t: Date, days: number) => new Date(t.getTime() - days * DAY_MS);

/**
 * Whether the rule must be evaluated over the whole base because something every person's answer
 * may depend on changed after `last`: a newer RFM or CLV run, a product (categories) changed, a
 * computed tag was renamed or deleted.
 */
export function fullTriggers(rule: Rule): RawBuilder<Date | null>[] {
  const out: RawBuilder<Date | null>[] = [];
  const leaves = leavesOf(rule);
  if (leaves.some((l) => 'rfm' in l || 'lifecycle' in l)) out.push(sql`(SELECT at FROM ${latestRfmRunFinishedAt} x)`);
  if (leaves.some((l) => 'clv' in l)) out.push(sql`(SELECT at FROM ${latestClvRunFinishedAt} x)`);
  if (leaves.some((l) => 'tag' in l))
    out.push(sql`(SELECT (s.value ->> 'at')::timestamptz FROM settings s WHERE s.key = ${TAGS_CHANGED_KEY})`);
  if (leaves.some((l) => 'ordered' in l && l.ordered.category !== undefined))
    out.push(sql`(SELECT at FROM ${productsChangedAt} x)`);
  return out;
}

/**
 * The candidate people (root ids, and ids that were roots) of an incremental refresh of `rule`
 * last evaluated at `last`, now at `asOf`; `tagIds` maps the names of computed tags to their ids
 * (for the tag leaf). A fragment of distinct `(id)` rows.
 */
export function candidates(
  rule: Rule,
  last: Date,
  asOf: Date,
  tagIds: Map<string, string>,
  lagMs = CHANGE_LAG_MS,
): Ids {
  const from = new Date(last.getTime() - lagMs);
  const leaves = leavesOf(rule);
  const has = (k: string) => leaves.some((l) => k in l);
  const ids: Ids[] = [profilesChangedSince(from)];
  if (has('consent')) ids.push(consentCustomersSince(from));
  if (has('event') || has('visited_store')) ids.push(eventCustomersSince(from));
  if (has('ordered') || has('visited_store') || has('near_store')) ids.push(orderCustomersChangedSince(from));
  if (has('tier') || has('points')) ids.push(loyaltyCustomersChangedSince(from, asOf));
  for (const l of leaves) {
    if ('created' in l)
      ids.push(customersCreatedBetween(minus(last, l.created.within_days), minus(asOf, l.created.within_days)));
    if ('event' in l && l.event.within_days)
      ids.push(eventCustomersBetween(l.event.type, minus(last, l.event.within_days), minus(asOf, l.event.within_days)));
    if ('ordered' in l && l.ordered.within_days)
      ids.push(orderCustomersPlacedBetween(minus(last, l.ordered.within_days), minus(asOf, l.ordered.within_days)));
    if ('visited_store' in l && l.visited_store.within_days) {
      const d = l.visited_store.within_days;
      ids.push(orderCustomersPlacedBetween(minus(last, d), minus(asOf, d)));
      ids.push(eventCustomersBetween('store_visit', minus(last, d), minus(asOf, d)));
    }
    if ('tag' in l) {
      const tagId = tagIds.get(l.tag);
      if (tagId)
        ids.push(sql<{ id: string }>`(SELECT customer_id AS id FROM segment_member_changes
          WHERE segment_id = ${tagId} AND changed_at > ${from.toISOString()}::timestamptz)`);
    }
  }
  const all = sql<{ id: string }>`(${sql.join(
    ids.map((f) => sql`SELECT id FROM ${f} f`),
    sql` UNION ALL `,
  )})`;
  return peopleOfIds(all);
}
