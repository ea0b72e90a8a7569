import { sql, type Kysely } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import type { DB } from '../../platform/db/schema';
import { transact } from '../../platform/db/transaction';
import { conflict, notFound, unprocessable } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { decodeCursor, page } from '../../platform/http/pagination';
import { syncCategoryRollup, usesCategoryRollup } from './category-rollup';
import { lockSegment, refreshLocked, tagsRenamedOrDeleted } from './membership';
import { checkRule, parseRule, type Rule } from './rule';
import type { SegmentKind } from './tables';
import './tables';

/** Saved segments and computed tags: the same rows (kind), the same upkeep (membership.ts). */

export interface SavedView {
  id: string;
  name: string;
  description: string | null;
  rule: unknown;
  size: number;
  evaluated_at: string | null;
  preset: boolean;
  created_at: string;
  updated_at: string;
}

const COLUMNS = [
  'id',
  'name',
  'description',
  'rule',
  'size',
  'evaluated_at',
  'preset',
  'created_at',
  'updated_at',
] as const;

type Row = {
  id: string;
  name: string;
  description: string | null;
  rule: unknown;
  size: number;
  evaluated_at: Date | null;
  preset: boolean;
  created_at: Date;
  updated_at: Date;
};

const view = (r: Row): SavedView => ({
  id: r.id,
  name: r.name,
  description: r.description,
  rule: r.rule,
  size: r.size,
  evaluated_at: r.evaluated_at ? new Date(r.evaluated_at).toISOString() : null,
  preset: r.preset,
  created_at: new Date(r.created_at).toISOString(),
  updated_at: new Date(r.updated_at).toISOString(),
});

const what = (kind: SegmentKind) => (kind === 'tag' ? 'computed tag' : 'segment');
const taken = (kind: SegmentKind, name: string) =>
  conflict('name_taken', `a ${what(kind)} named ${JSON.stringify(name)} exists`, 'name');
const isUniqueViolation = (e: unknown) => (e as { code?: unknown } | null)?.code === '23505';

async function nameTaken(db: Queryable, kind: SegmentKind, name: string, except?: string): Promise<boolean> {
  let q = db.selectFrom('saved_segments').select('id').where('kind', '=', kind).where('name', '=', name);
  if (except) q = q.where('id', '<>', except);
  return (await q.executeTakeFirst()) !== undefined;
}

/** Which row a path names: segments by id, computed tags by name. */
export type Ref = { kind: 'segment'; id: string } | { kind: 'tag'; name: string };

async function find(db: Queryable, ref: Ref): Promise<Row | undefined> {
  let q = db.selectFrom('saved_segments').select(COLUMNS).where('kind', '=', ref.kind);
  q = ref.kind === 'tag' ? q.where('name', '=', ref.name) : q.where('id', '=', ref.id);
  return (await q.executeTakeFirst()) as Row | undefined;
}

export async function getSaved(db: Queryable, ref: Ref): Promise<SavedView> {
  const r = await find(db, ref);
  if (!r) throw notFound(what(ref.kind), ref.kind === 'tag' ? 'name' : 'id');
  return view(r);
}

export async function listSaved(db: Queryable, kind: SegmentKind): Promise<SavedView[]> {
  const rows = await db.selectFrom('saved_segments').select(COLUMNS).where('kind', '=', kind).orderBy('name').execute();
  return rows.map((r) => view(r as Row));
}

export interface SavedInput {
  name: string;
  description?: string | null;
  rule: unknown;
}

/** The `tag` leaves of a rule with their paths. */
function tagLeaves(rule: Rule, path = 'rule'): { name: string; path: string }[] {
  if ('all' in rule) return rule.all.flatMap((r, i) => tagLeaves(r, `${path}.all[${i}]`));
  if ('any' in rule) return rule.any.flatMap((r, i) => tagLeaves(r, `${path}.any[${i}]`));
  if ('not' in rule) return tagLeaves(rule.not, `${path}.not`);
  return 'tag' in rule ? [{ name: rule.tag, path: `${path}.tag` }] : [];
}

/**
 * A computed tag must not depend on itself, directly or through other computed tags: its
 * membership would flip at every refresh. 422 `rule_cycle` naming the first tag leaf that leads back.
 */
async function refuseCycle(db: Queryable, id: string | null, name: string, rule: Rule): Promise<void> {
  const others = await db
    .selectFrom('saved_segments')
    .select(['id', 'name', 'rule'])
    .where('kind', '=', 'tag')
    .execute();
  const uses = new Map<string, string[]>();
  for (const t of others)
    if (t.id !== id)
      uses.set(
        t.name,
        tagLeaves(parseRule(t.rule)).map((l) => l.name),
      );
  for (const leaf of tagLeaves(rule)) {
    const seen = new Set<string>();
    const stack = [leaf.name];
    while (stack.length) {
      const at = stack.pop()!;
      if (at === name)
        throw unprocessable(
          'rule_cycle',
          `the computed tag would depend on itself through ${JSON.stringify(leaf.name)}`,
          leaf.path,
        );
      if (seen.has(at)) continue;
      seen.add(at);
      stack.push(...(uses.get(at) ?? []));
    }
  }
}

/**
 * Creates it (the rule checked, 422 naming `rule.…`), evaluates it and publishes its first members
 * (unless `publish` is false: the demo's backfill).
 */
export async function createSaved(
  db: Kysely<DB>,
  kind: SegmentKind,
  input: SavedInput,
  opts: { publish?: boolean } = {},
): Promise<SavedView> {
  const rule = await checkRule(db, input.rule);
  const categoryRollup = usesCategoryRollup(rule) && (await syncCategoryRollup(db));
  const id = newId(kind === 'tag' ? 'tag' : 'seg');
  try {
    await transact(db, async (tx) => {
      if (await nameTaken(tx, kind, input.name)) throw taken(kind, input.name);
      if (kind === 'tag') await refuseCycle(tx, null, input.name, rule);
      await tx
        .insertInto('saved_segments')
        .values({
          id,
          kind,
          name: input.name,
          description: input.description ?? null,
          rule: JSON.stringify(input.rule),
        })
        .execute();
      const seg = (await lockSegment(tx, id))!;
      await refreshLocked(tx, seg, new Date(), { ...opts, full: true, categoryRollup });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw taken(kind, input.name);
    throw e;
  }
  return byId(db, id);
}

async function byId(db: Queryable, id: string): Promise<SavedView> {
  return view(
    (await db.selectFrom('saved_segments').select(COLUMNS).where('id', '=', id).executeTakeFirstOrThrow()) as Row,
  );
}

/** Replaces name, description and rule under the row's lock and re-evaluates: the difference is published. */
export async function updateSaved(db: Kysely<DB>, ref: Ref, input: SavedInput): Promise<SavedView> {
  const rule = await checkRule(db, input.rule);
  const categoryRollup = usesCategoryRollup(rule) && (await syncCategoryRollup(db));
  const kind = ref.kind;
  let id = '';
  try {
    await transact(db, async (tx) => {
      const current = await find(tx, ref);
      if (!current) throw notFound(what(kind), kind === 'tag' ? 'name' : 'id');
      id = current.id;
      const seg = await lockSegment(tx, id);
      if (!seg) throw notFound(what(kind), kind === 'tag' ? 'name' : 'id');
      if (await nameTaken(tx, kind, input.name, id)) throw taken(kind, input.name);
      if (kind === 'tag') await refuseCycle(tx, id, input.name, rule);
      await tx
        .updateTable('saved_segments')
        .set({
          name: input.name,
          description: input.description ?? null,
          rule: JSON.stringify(input.rule),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .execute();
      await refreshLocked(tx, { ...seg, name: input.name, rule: input.rule }, new Date(), {
        full: true,
        categoryRollup,
      });
      if (kind === 'tag' && input.name !== seg.name) await tagsRenamedOrDeleted(tx);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw taken(kind, input.name);
    throw e;
  }
  return byId(db, id);
}

/** Deletes it and its memberships (no exit events: the segment is gone, not its members). */
export async function deleteSaved(db: Kysely<DB>, ref: Ref): Promise<SavedView> {
  return transact(db, async (tx) => {
    const current = await find(tx, ref);
    if (!current || !(await lockSegment(tx, current.id)))
      throw notFound(what(ref.kind), ref.kind === 'tag' ? 'name' : 'id');
    await tx.deleteFrom('saved_segments').where('id', '=', current.id).execute();
    if (ref.kind === 'tag') await tagsRenamedOrDeleted(tx);
    return view(current);
  });
}

/** The segment's id and stored size (404 when there is none). */
export async function segmentSize(db: Queryable, ref: Ref): Promise<{ id: string; size: number }> {
  const r = await find(db, ref);
  if (!r) throw notFound(what(ref.kind), ref.kind === 'tag' ? 'name' : 'id');
  const n = await sql<{
    n: string;
  }>`SELECT count(*)::text AS n FROM segment_members WHERE segment_id = ${r.id}`.execute(db);
  return { id: r.id, size: Number(n.rows[0].n) };
}

/** A page of members by customer id. */
export async function memberPage(
  db: Queryable,
  segmentId: string,
  q: { cursor?: string; limit: number },
): Promise<{ items: { customer_id: string; entered_at: string }[]; next_cursor: string | null }> {
  const after = decodeCursor(q.cursor, 1, ['string']);
  let query = db
    .selectFrom('segment_members')
    .select(['customer_id', 'entered_at'])
    .where('segment_id', '=', segmentId)
    .orderBy('customer_id')
    .limit(q.limit + 1);
  if (after) query = query.where('customer_id', '>', after[0] as string);
  const rows = (await query.execute()).map((r) => ({
    customer_id: r.customer_id,
    entered_at: new Date(r.entered_at).toISOString(),
  }));
  return page(rows, q.limit, (r) => [r.customer_id]);
}

const BATCH = 1000;

/** Every member id as CSV lines, header first, in keyset batches so memory stays flat. */
export async function* membersCsv(db: Queryable, segmentId: string): AsyncGenerator<string> {
  yield 'customer_id,entered_at\n';
  let after: string | null = null;
  for (;;) {
    let q = db
      .selectFrom('segment_members')
      .select(['customer_id', 'entered_at'])
      .where('segment_id', '=', segmentId)
      .orderBy('customer_id')
      .limit(BATCH);
    if (after !== null) q = q.where('customer_id', '>', after);
    const rows = await q.execute();
    if (rows.length === 0) return;
    // ids are [A-Za-z0-9_] and times ISO: nothing to quote
    yield rows.map((r) => `${r.customer_id},${new Date(r.entered_at).toISOString()}\n`).join('');
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1].customer_id;
  }
}
