import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Tx } from '../../platform/db/database';
import type { DB } from '../../platform/db/schema';
import { transact } from '../../platform/db/transaction';
import { loggableError } from '../../platform/logging';
import { putSetting } from '../../platform/settings';
import { keepCategoryRollup, syncCategoryRollup, usesCategoryRollup } from './category-rollup';
import { CHANGE_LAG_MS, TAGS_CHANGED_KEY, candidates, fullTriggers, leavesOf } from './changes';
import { members, type Scope } from './compile';
import { parseRule, type Rule } from './rule';
import type { SegmentKind } from './tables';
import './tables';

/**
 * Membership upkeep of saved segments and computed tags (one machinery for both kinds).
 *
 * A refresh computes the rule's set in SQL and diffs it against the stored set in the same
 * statement: members that left are deleted, newcomers inserted (entered_at = the evaluation
 * time), and each change is one outbox event — `segment.entered` / `segment.exited`
 * {segment_id, customer_id} for segments, `tag.entered` / `tag.exited` {tag_id, tag, customer_id}
 * for computed tags — aggregate `customer` (so a person's events reach a webhook in order), all in
 * the transaction that holds the segment's row lock (rank 5, platform/db/locks.ts). Two processes
 * refreshing the same segment take turns on that lock, and the later one diffs against what the
 * earlier one stored: nothing is published twice.
 *
 * Upkeep: the dispatcher task claims segments whose last attempt is older than
 * SANTONG_SEGMENT_REFRESH_SECONDS (default 60), computed tags first (rules of segments may use
 * them), so memberships are at most about that far behind. A refresh is incremental: the rule is
 * evaluated only for the candidates (changes.ts: the people whose inputs changed since the last
 * refresh, read from the modules' change feeds, and those whose window edge passed), and the diff
 * is restricted to them, which gives the same membership as a full evaluation. It is full — the
 * rule over the whole base — when the segment was never fully evaluated or its rule changed
 * (create, update), when a newer RFM/CLV run finished or a product changed for rules that read
 * those, when its last refresh is older than the change log kept (CHANGE_RETENTION_MS), when the
 * candidates are a large part of the base, and at least every SANTONG_SEGMENT_FULL_SECONDS
 * (default 86400: picks up what has no change feed, store coordinates and the tier ladder).
 * Rules with category purchases over long windows read the per-person category rollup, synced
 * before the evaluation in a transaction of its own (once per upkeep tick; category-rollup.ts).
 */

export interface SegmentRow {
  id: string;
  kind: SegmentKind;
  name: string;
  rule: unknown;
  size: number;
  evaluated_at: Date | null;
  full_at: Date | null;
}

export interface RefreshResult {
  size: number;
  entered: number;
  exited: number;
}

export interface RefreshOptions {
  /** false: store the difference without publishing it (the demo's backfill). */
  publish?: boolean;
  /** Evaluate over the whole base whatever changed (a new or changed rule). */
  full?: boolean;
  /** A full refresh at least this often (SANTONG_SEGMENT_FULL_SECONDS). */
  fullEverySeconds?: number;
  /** How far before the last refresh the change feeds are read again (default CHANGE_LAG_MS). */
  changeLagMs?: number;
  /** Told how the refresh went: the number of people re-checked, or null when it was full. */
  onCandidates?: (n: number | null) => void;
  /**
   * Whether the category rollup was synced just before and may be read (syncCategoryRollup's
   * answer); refreshSegment syncs it itself when not told and the rule reads it. Default false.
   */
  categoryRollup?: boolean;
}

/** Default of SANTONG_SEGMENT_FULL_SECONDS. */
export const DEFAULT_FULL_SECONDS = 86_400;
/** How long computed tags' membership changes are kept for the segments that read them. */
export const CHANGE_RETENTION_MS = 2 * 86_400_000;
/** Above this share of the base, candidates are not worth a restricted evaluation. */
const MAX_CANDIDATE_SHARE = 0.25;

/** Rank 5: the saved segment's row, held to the end of the transaction; null when it does not exist. */
export async function lockSegment(tx: Tx, id: string): Promise<SegmentRow | null> {
  const r = await sql<SegmentRow>`
    SELECT id, kind, name, rule, size, evaluated_at, full_at FROM saved_segments WHERE id = ${id} FOR UPDATE`.execute(
    tx,
  );
  const row = r.rows[0];
  return row
    ? {
        ...row,
        evaluated_at: row.evaluated_at ? new Date(row.evaluated_at) : null,
        full_at: row.full_at ? new Date(row.full_at) : null,
      }
    : null;
}

/**
 * Re-evaluates a segment whose row the transaction holds (lockSegment) at `asOf` — incrementally
 * when it can (see above), else over the whole base — stores the difference and publishes it.
 */
export async function refreshLocked(
  tx: Tx,
  seg: SegmentRow,
  asOf: Date,
  opts: RefreshOptions = {},
): Promise<RefreshResult> {
  const rule = parseRule(seg.rule);
  // JIT compiles for seconds what runs in less (a rule's plan is many small sub-plans)
  await sql`SET LOCAL jit = off`.execute(tx);
  const scope = await incrementalScope(tx, seg, rule, asOf, opts);
  const r = await diff(tx, seg, rule, asOf, scope, opts.publish ?? true, opts.categoryRollup ?? false);
  // incremental: the stored set counted (erasure removes members between refreshes, unpublished)
  const size =
    scope === null
      ? r.size
      : Number(
          (
            await sql<{
              n: string;
            }>`SELECT count(*)::text AS n FROM segment_members WHERE segment_id = ${seg.id}`.execute(tx)
          ).rows[0].n,
        );
  await tx
    .updateTable('saved_segments')
    .set({ size, evaluated_at: asOf, attempted_at: asOf, ...(scope === null ? { full_at: asOf } : {}) })
    .where('id', '=', seg.id)
    .execute();
  opts.onCandidates?.(scope === null ? null : scope.length);
  return { size, entered: r.entered, exited: r.exited };
}

/** The candidates of an incremental refresh (root ids), or null when this refresh must be full. */
async function incrementalScope(
  tx: Tx,
  seg: SegmentRow,
  rule: Rule,
  asOf: Date,
  opts: RefreshOptions,
): Promise<string[] | null> {
  const last = seg.evaluated_at;
  const fullEvery = (opts.fullEverySeconds ?? DEFAULT_FULL_SECONDS) * 1000;
  if (opts.full || !last || !seg.full_at) return null;
  if (asOf.getTime() - seg.full_at.getTime() >= fullEvery) return null;
  if (asOf.getTime() - last.getTime() >= CHANGE_RETENTION_MS) return null;
  const lag = opts.changeLagMs ?? CHANGE_LAG_MS;
  const triggers = fullTriggers(rule);
  if (triggers.length) {
    const r = await sql<{ newer: boolean }>`SELECT coalesce(greatest(${sql.join(triggers)}) > ${new Date(
      last.getTime() - lag,
    ).toISOString()}::timestamptz, false) AS newer`.execute(tx);
    if (r.rows[0]?.newer) return null;
  }
  const tagIds = new Map<string, string>();
  const tagNames = leavesOf(rule).flatMap((l) => ('tag' in l ? [l.tag] : []));
  if (tagNames.length) {
    const t = await tx
      .selectFrom('saved_segments')
      .select(['id', 'name'])
      .where('kind', '=', 'tag')
      .where('name', 'in', tagNames)
      .execute();
    for (const x of t) tagIds.set(x.name, x.id);
  }
  const r = await sql<{ ids: string[] | null }>`
    SELECT array_agg(c.id) AS ids FROM ${candidates(rule, last, asOf, tagIds, lag)} c`.execute(tx);
  const ids = r.rows[0]?.ids ?? [];
  // a large share of everyone: the whole base is read in one pass more cheaply than by index
  if (ids.length > 50_000 && ids.length > MAX_CANDIDATE_SHARE * (await peopleCount(tx))) return null;
  return ids;
}

async function peopleCount(tx: Tx): Promise<number> {
  // the planner's estimate is enough to compare against
  const r = await sql<{
    n: string;
  }>`SELECT reltuples::bigint::text AS n FROM pg_class WHERE relname = 'customers'`.execute(tx);
  return Math.max(0, Number(r.rows[0]?.n ?? 0));
}

/**
 * Stores the difference between the rule's members at `asOf` and the stored set — with a scope
 * (candidate root ids), both restricted to it — publishes one event per change and, for computed
 * tags, logs each change (segment_member_changes, read by the rules that use the tag).
 */
async function diff(
  tx: Tx,
  seg: SegmentRow,
  rule: Rule,
  asOf: Date,
  scope: string[] | null,
  publish: boolean,
  categoryRollup: boolean,
): Promise<{ size: number; entered: number; exited: number }> {
  const scopeExpr: Scope = scope ? sql<string[]>`${scope}::text[]` : undefined;
  const isTag = seg.kind === 'tag';
  const [enteredType, exitedType] = isTag ? ['tag.entered', 'tag.exited'] : ['segment.entered', 'segment.exited'];
  const payload = (who: RawRef) =>
    isTag
      ? sql`jsonb_build_object('tag_id', ${seg.id}::text, 'tag', ${seg.name}::text, 'customer_id', ${who})`
      : sql`jsonb_build_object('segment_id', ${seg.id}::text, 'customer_id', ${who})`;
  // only the candidates' stored rows are compared: everyone else's membership stands
  const stored = scope ? sql`AND s.customer_id = ANY(${scopeExpr})` : sql``;
  const r = await sql<{ size: string; entered: string; exited: string }>`
    WITH target AS MATERIALIZED (SELECT m.id FROM ${members(rule, asOf, scopeExpr, undefined, { categoryRollup })} m),
    gone AS (
      DELETE FROM segment_members s
      WHERE s.segment_id = ${seg.id} ${stored} AND NOT EXISTS (SELECT 1 FROM target t WHERE t.id = s.customer_id)
      RETURNING s.customer_id),
    fresh AS (
      INSERT INTO segment_members (segment_id, customer_id, entered_at)
      SELECT ${seg.id}, t.id, ${asOf.toISOString()}::timestamptz FROM target t
      WHERE NOT EXISTS (SELECT 1 FROM segment_members s WHERE s.segment_id = ${seg.id} AND s.customer_id = t.id)
      ON CONFLICT (segment_id, customer_id) DO NOTHING
      RETURNING customer_id),
    changes AS (
      SELECT customer_id, ${exitedType}::text AS type FROM gone
      UNION ALL SELECT customer_id, ${enteredType}::text AS type FROM fresh),
    published AS (
      INSERT INTO outbox (aggregate_type, aggregate_id, type, payload)
      SELECT 'customer', c.customer_id, c.type, ${payload(sql.ref('c.customer_id'))}
      FROM (SELECT * FROM changes ORDER BY type DESC, customer_id) c
      WHERE ${publish}
      RETURNING 1),
    logged AS (
      INSERT INTO segment_member_changes (segment_id, customer_id, changed_at)
      SELECT ${seg.id}, c.customer_id, clock_timestamp() FROM changes c WHERE ${isTag}
      RETURNING 1)
    SELECT (SELECT count(*) FROM target)::text AS size, (SELECT count(*) FROM fresh)::text AS entered,
      (SELECT count(*) FROM gone)::text AS exited, (SELECT count(*) FROM published)::text AS published,
      (SELECT count(*) FROM logged)::text AS logged`.execute(tx);
  const row = r.rows[0];
  return { size: Number(row.size), entered: Number(row.entered), exited: Number(row.exited) };
}
type RawRef = ReturnType<typeof sql.ref>;

/** Re-evaluates one segment now, in its own transaction; null when it no longer exists. */
export async function refreshSegment(
  db: Kysely<DB>,
  id: string,
  opts: RefreshOptions & { asOf?: Date } = {},
): Promise<RefreshResult | null> {
  const categoryRollup = opts.categoryRollup ?? (await rollupSyncedFor(db, id));
  return transact(db, async (tx) => {
    const seg = await lockSegment(tx, id);
    return seg ? refreshLocked(tx, seg, opts.asOf ?? new Date(), { ...opts, categoryRollup }) : null;
  });
}

/** Syncs the category rollup when the segment's rule reads it (before its lock: see category-rollup.ts); true when it may be read. */
async function rollupSyncedFor(db: Kysely<DB>, id: string): Promise<boolean> {
  const row = await db.selectFrom('saved_segments').select('rule').where('id', '=', id).executeTakeFirst();
  return row !== undefined && usesCategoryRollup(parseRule(row.rule)) && (await syncCategoryRollup(db));
}

/**
 * Claims the segment most overdue for upkeep — never attempted or last attempted `everySeconds`
 * ago or more, computed tags first — by marking the attempt: a conditional update, so two
 * processes never claim the same one in one period (and one being refreshed is skipped). Not one
 * of `except` (those this tick already refreshed, when the period is shorter than a tick).
 */
export async function claimDue(db: Kysely<DB>, everySeconds: number, except: string[] = []): Promise<string | null> {
  const due = sql`(attempted_at IS NULL OR attempted_at <= now() - make_interval(secs => ${everySeconds}))
    AND NOT (id = ANY (${except}::text[]))`;
  const r = await sql<{ id: string }>`
    UPDATE saved_segments SET attempted_at = now()
    WHERE id = (SELECT id FROM saved_segments WHERE ${due}
                ORDER BY (kind = 'tag') DESC, attempted_at NULLS FIRST, id LIMIT 1 FOR UPDATE SKIP LOCKED)
      AND ${due}
    RETURNING id`.execute(db);
  return r.rows[0]?.id ?? null;
}

/** How often the upkeep task prunes the change log of computed tags (a scan of it). */
const PRUNE_EVERY_MS = 600_000;

/** How long one dispatcher tick keeps refreshing overdue segments before it lets the other tasks run. */
const TICK_BUDGET_MS = 2000;

/** The dispatcher task: refreshes overdue segments, one transaction each, within a time budget per tick. */
export function segmentUpkeepTask(
  db: Kysely<DB>,
  log: Logger,
  everySeconds: number,
  fullEverySeconds = DEFAULT_FULL_SECONDS,
): () => Promise<number> {
  let pruned = 0;
  return async () => {
    const started = Date.now();
    if (started - pruned >= PRUNE_EVERY_MS) {
      // computed tags' changes no refresh reads any more (one older than this refreshes fully)
      await sql`DELETE FROM segment_member_changes
        WHERE changed_at < ${new Date(started - CHANGE_RETENTION_MS).toISOString()}::timestamptz`.execute(db);
      pruned = started;
    }
    // one sync of the category rollup per tick with refreshes, for all of them (built here the first time)
    let categoryRollup: boolean | undefined;
    let refreshed = 0;
    const seen: string[] = [];
    while (Date.now() - started < TICK_BUDGET_MS) {
      const id = await claimDue(db, everySeconds, seen); // once per tick, even when the period is shorter
      if (!id) break;
      seen.push(id);
      try {
        categoryRollup ??= await keepCategoryRollup(db);
        const r = await refreshSegment(db, id, { fullEverySeconds, categoryRollup });
        if (r) refreshed++;
      } catch (err) {
        // stays claimed until its next period: a failing rule does not hold up the others
        log.error({ error: loggableError(err), segment_id: id }, 'segment refresh failed');
      }
    }
    return refreshed;
  };
}

/** An erased person leaves every segment and computed tag (no event: `customer.erased` says it). */
/**
 * A computed tag was renamed or deleted: rules naming it now read other rows than its change log
 * says, so the next refresh of every rule with a `tag` leaf is full (changes.ts fullTriggers reads
 * this setting). A settings row, not the other segments' rows: this transaction holds one
 * segment's lock (rank 5) and takes no other.
 */
export async function tagsRenamedOrDeleted(tx: Tx): Promise<void> {
  await putSetting(tx, TAGS_CHANGED_KEY, { at: new Date().toISOString() });
}

export async function eraseMemberships(tx: Tx, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await tx.deleteFrom('segment_members').where('customer_id', 'in', ids).executeTakeFirst();
  return Number(r.numDeletedRows);
}
