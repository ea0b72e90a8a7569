import { sql, type Kysely } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database';
import type { DB } from '../../platform/db/schema';
import { transact } from '../../platform/db/transaction';
import { productFacts } from '../catalog/public';
import { registerErasureStep } from '../customers/public';
import { isSale, orderCustomersChangedSince, orderLines, orderSummaries } from '../orders/public';
import { CHANGE_LAG_MS, leavesOf } from './changes';
import { readsCategoryRollup } from './compile';
import type { Rule } from './rule';
import './tables';

/**
 * Per-person category purchases (segment_category_rollup, migration 2960): per customer id and
 * category, the sales (paid or completed orders, orders' isSale) with a line of the category, the
 * units and amount of those lines, the first and last such sale's placed_at. The compiler reads it
 * for `ordered` leaves with a category and an all-time or long window (compile.ts categoryRows),
 * where the rows it replaces are every order line of the base.
 *
 * Upkeep: before an evaluation that reads it (a preview, a segment's refresh) and on every upkeep
 * tick, `syncCategoryRollup` recomputes from their orders the rows of the customers the orders'
 * change feed names (an order placed, paid, cancelled, returned or erased since the last sync,
 * read CHANGE_LAG_MS early as the segments' incremental refresh reads it), and of the buyers of a
 * SKU whose category moved (segment_category_skus keeps the category each SKU was counted under).
 * A customer's rows are recomputed whole, never adjusted: a change seen twice, or out of order,
 * gives the same rows, and the rollup equals a recomputation whenever it is synced — which is why
 * it follows the change feed rather than the outbox (whose dispatcher may lag, or not run).
 *
 * Built once over the whole base (`rebuildCategoryRollup`: `santong segments rebuild-rollup`, the
 * demo seed, or the upkeep task when the table has never been built); until then the compiler
 * reads order lines as before. An empty base is built by its first sync.
 */

/** Does the rule have a leaf the rollup answers (then an evaluation syncs it first)? */
export const usesCategoryRollup = (rule: Rule) =>
  leavesOf(rule).some((l) => 'ordered' in l && readsCategoryRollup(l.ordered));

/** The advisory lock of the rollup's writers: taken alone, in its own transaction. */
const ROLLUP_LOCK = sql`SELECT pg_advisory_xact_lock(hashtext('segments.category_rollup'))`;

/** The rollup's columns, from per-(order, category) rows `x` (`order_id`, `category`, `units`, `amount`) joined to orders `o`. */
const ROLLUP_SELECT = sql`
  SELECT o.customer_id, x.category, count(*)::int AS orders, sum(x.units) AS units, sum(x.amount) AS amount,
         min(o.placed_at) AS first_at, max(o.placed_at) AS last_at`;
const INSERT_INTO = sql`INSERT INTO segment_category_rollup (customer_id, category, orders, units, amount, first_at, last_at)`;

/** Recomputes the rollup rows of these customer ids from their orders (index orders_customer). */
async function recompute(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`DELETE FROM segment_category_rollup WHERE customer_id = ANY(${ids}::text[])`.execute(tx);
  await sql`${INSERT_INTO} ${ROLLUP_SELECT}
    FROM ${orderSummaries} o
    CROSS JOIN LATERAL (
      SELECT l.order_id, pf.category, sum(l.qty) AS units, sum(l.amount) AS amount
      FROM ${orderLines} l JOIN ${productFacts} pf ON pf.sku = l.sku
      WHERE l.order_id = o.id GROUP BY l.order_id, pf.category) x
    WHERE o.customer_id = ANY(${ids}::text[]) AND ${isSale('o')}
    GROUP BY o.customer_id, x.category`.execute(tx);
}

/** Records the categories the rollup counted: every SKU's now (a rebuild), or these SKUs' (null: gone). */
async function snapshotCategories(tx: Tx, moved: { sku: string; category: string | null }[] | null): Promise<void> {
  if (moved === null) {
    await sql`DELETE FROM segment_category_skus`.execute(tx);
    await sql`INSERT INTO segment_category_skus (sku, category) SELECT p.sku, p.category FROM ${productFacts} p`.execute(
      tx,
    );
    return;
  }
  if (moved.length === 0) return;
  const rows = sql`json_to_recordset(${JSON.stringify(moved)}::json) AS m(sku text, category text)`;
  await sql`DELETE FROM segment_category_skus s USING ${rows} WHERE s.sku = m.sku`.execute(tx);
  await sql`INSERT INTO segment_category_skus (sku, category)
    SELECT m.sku, m.category FROM ${rows} WHERE m.category IS NOT NULL ORDER BY m.sku`.execute(tx);
}

async function markSynced(tx: Tx, built: boolean): Promise<void> {
  await sql`INSERT INTO segment_category_rollup_state (id, synced_at, built_at) VALUES (true, now(), now())
    ON CONFLICT (id) DO UPDATE SET synced_at = now() ${built ? sql`, built_at = now()` : sql``}`.execute(tx);
}

/**
 * Recomputes the whole rollup from every sale (one pass over the order lines, each order's lines
 * summed per category first, so no count(DISTINCT) over lines), in one transaction.
 */
export async function rebuildCategoryRollup(db: Kysely<DB>): Promise<{ ms: number; rows: number }> {
  const started = Date.now();
  const rows = await transact(db, async (tx) => {
    await ROLLUP_LOCK.execute(tx);
    await sql`SET LOCAL work_mem = '256MB'`.execute(tx);
    await sql`SET LOCAL jit = off`.execute(tx);
    // Not enable_sort = off: it saved 8 s of 20 at 100,000 customers on PostgreSQL, but where the
    // orders' index offers their order the planner then nests loops over every order's lines
    // (126 s instead of 0.35 s at 5,000 customers on the embedded database: npm start's demo).
    await sql`DELETE FROM segment_category_rollup`.execute(tx);
    // the categories first: a product moved while the lines are read is found moved by the next sync
    await snapshotCategories(tx, null);
    const r = await sql`${INSERT_INTO} ${ROLLUP_SELECT}
      FROM (SELECT l.order_id, pf.category, sum(l.qty) AS units, sum(l.amount) AS amount
            FROM ${orderLines} l JOIN ${productFacts} pf ON pf.sku = l.sku GROUP BY l.order_id, pf.category) x
      JOIN ${orderSummaries} o ON o.id = x.order_id
      WHERE o.customer_id IS NOT NULL AND ${isSale('o')}
      GROUP BY o.customer_id, x.category ORDER BY 1, 2`.execute(tx);
    await markSynced(tx, true);
    return Number(r.numAffectedRows ?? 0);
  });
  await sql`ANALYZE segment_category_rollup`.execute(db);
  return { ms: Date.now() - started, rows };
}

/**
 * Brings the rollup up to date with the orders and the catalogue (see above), in its own
 * transaction; true when it can be read (built), false when it has never been built over a base
 * with orders (the compiler then reads the order lines).
 */
export async function syncCategoryRollup(db: Kysely<DB>, lagMs = CHANGE_LAG_MS): Promise<boolean> {
  return transact(db, async (tx) => {
    await ROLLUP_LOCK.execute(tx);
    const state = await stateOf(tx);
    if (!state) {
      // an empty base is built as it is; one with orders waits for rebuildCategoryRollup
      const any = await sql`SELECT 1 FROM ${orderSummaries} o LIMIT 1`.execute(tx);
      if (any.rows.length > 0) return false;
      await snapshotCategories(tx, null);
      await markSynced(tx, true);
      return true;
    }
    const from = new Date(state.synced_at.getTime() - lagMs);
    // SKUs counted under another category than they have now (or gone, or new), read once: what
    // the recomputation below reads is that or newer, and a newer move is found again next time
    const moved = (
      await sql<{ sku: string; category: string | null }>`
        SELECT coalesce(p.sku, s.sku) AS sku, p.category FROM ${productFacts} p
        FULL JOIN segment_category_skus s ON s.sku = p.sku WHERE p.category IS DISTINCT FROM s.category`.execute(tx)
    ).rows;
    const r = await sql<{ ids: string[] | null }>`
      SELECT array_agg(DISTINCT c.id) AS ids FROM (
        SELECT f.id FROM ${orderCustomersChangedSince(from)} f
        UNION ALL
        SELECT o.customer_id FROM ${orderLines} l JOIN ${orderSummaries} o ON o.id = l.order_id
        WHERE l.sku = ANY(${moved.map((m) => m.sku)}::text[]) AND o.customer_id IS NOT NULL) c`.execute(tx);
    await recompute(tx, r.rows[0]?.ids ?? []);
    await snapshotCategories(tx, moved);
    await markSynced(tx, false);
    return true;
  });
}

async function stateOf(db: Queryable): Promise<{ synced_at: Date } | null> {
  const r = await sql<{ synced_at: Date }>`SELECT synced_at FROM segment_category_rollup_state`.execute(db);
  return r.rows[0] ? { synced_at: new Date(r.rows[0].synced_at) } : null;
}

/** The upkeep task's part: builds the rollup the first time, else syncs it; true when it can be read. */
export async function keepCategoryRollup(db: Kysely<DB>): Promise<boolean> {
  if (await syncCategoryRollup(db)) return true;
  await rebuildCategoryRollup(db);
  return true;
}

// An erased person's rows go (their sales stay under the substitutes, which are nobody's).
registerErasureStep('segments-category-rollup', async (tx, scope) => {
  const r = await sql`DELETE FROM segment_category_rollup WHERE customer_id = ANY(${scope.ids}::text[])`.execute(tx);
  return Number(r.numAffectedRows ?? 0);
});
