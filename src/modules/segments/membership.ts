import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Tx } from '../../platform/db/database';
import type { DB } from '../../platform/db/schema';
import { transact } from '../../platform/db/transaction';
import { loggableError } from '../../platform/logging';
import { members } from './compile';
import { parseRule } from './rule';
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
 * Upkeep is on a schedule, not incremental: the dispatcher task claims segments whose last
 * attempt is older than SANTONG_SEGMENT_REFRESH_SECONDS (default 60), computed tags first (rules
 * of segments may use them), so memberships are at most about that far behind. Every rule is
 * re-evaluated, whatever changed: windowed leaves (`within_days`) change with time alone, and tag,
 * trait and event writes publish no events to subscribe to.
 */

export interface SegmentRow {
  id: string;
  kind: SegmentKind;
  name: string;
  rule: unknown;
}

export interface RefreshResult {
  size: number;
  entered: number;
  exited: number;
}

/** Rank 5: the saved segment's row, held to the end of the transaction; null when it does not exist. */
export async function lockSegment(tx: Tx, id: string): Promise<SegmentRow | null> {
  const r = await sql<SegmentRow>`
    SELECT id, kind, name, rule FROM saved_segments WHERE id = ${id} FOR UPDATE`.execute(tx);
  return r.rows[0] ?? null;
}

/**
 * Re-evaluates a segment whose row the transaction holds (lockSegment) at `asOf`, stores the
 * difference and publishes it (unless `publish` is false: the demo's backfill).
 */
export async function refreshLocked(
  tx: Tx,
  seg: SegmentRow,
  asOf: Date,
  opts: { publish?: boolean } = {},
): Promise<RefreshResult> {
  const rule = parseRule(seg.rule);
  const isTag = seg.kind === 'tag';
  const [enteredType, exitedType] = isTag ? ['tag.entered', 'tag.exited'] : ['segment.entered', 'segment.exited'];
  const payload = (who: RawRef) =>
    isTag
      ? sql`jsonb_build_object('tag_id', ${seg.id}::text, 'tag', ${seg.name}::text, 'customer_id', ${who})`
      : sql`jsonb_build_object('segment_id', ${seg.id}::text, 'customer_id', ${who})`;
  const r = await sql<{ size: string; entered: string; exited: string }>`
    WITH target AS MATERIALIZED (SELECT m.id FROM ${members(rule, asOf)} m),
    gone AS (
      DELETE FROM segment_members s
      WHERE s.segment_id = ${seg.id} AND NOT EXISTS (SELECT 1 FROM target t WHERE t.id = s.customer_id)
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
      WHERE ${opts.publish ?? true}
      RETURNING 1)
    SELECT (SELECT count(*) FROM target)::text AS size, (SELECT count(*) FROM fresh)::text AS entered,
      (SELECT count(*) FROM gone)::text AS exited, (SELECT count(*) FROM published)::text AS published`.execute(tx);
  const row = r.rows[0];
  const result = { size: Number(row.size), entered: Number(row.entered), exited: Number(row.exited) };
  await tx
    .updateTable('saved_segments')
    .set({ size: result.size, evaluated_at: asOf, attempted_at: asOf })
    .where('id', '=', seg.id)
    .execute();
  return result;
}
type RawRef = ReturnType<typeof sql.ref>;

/** Re-evaluates one segment now, in its own transaction; null when it no longer exists. */
export async function refreshSegment(
  db: Kysely<DB>,
  id: string,
  opts: { publish?: boolean; asOf?: Date } = {},
): Promise<RefreshResult | null> {
  return transact(db, async (tx) => {
    const seg = await lockSegment(tx, id);
    return seg ? refreshLocked(tx, seg, opts.asOf ?? new Date(), opts) : null;
  });
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

/** How long one dispatcher tick keeps refreshing overdue segments before it lets the other tasks run. */
const TICK_BUDGET_MS = 2000;

/** The dispatcher task: refreshes overdue segments, one transaction each, within a time budget per tick. */
export function segmentUpkeepTask(db: Kysely<DB>, log: Logger, everySeconds: number): () => Promise<number> {
  return async () => {
    const started = Date.now();
    let refreshed = 0;
    const seen: string[] = [];
    while (Date.now() - started < TICK_BUDGET_MS) {
      const id = await claimDue(db, everySeconds, seen); // once per tick, even when the period is shorter
      if (!id) break;
      seen.push(id);
      try {
        const r = await refreshSegment(db, id);
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
export async function eraseMemberships(tx: Tx, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await tx.deleteFrom('segment_members').where('customer_id', 'in', ids).executeTakeFirst();
  return Number(r.numDeletedRows);
}
