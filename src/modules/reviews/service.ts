import './tables';
import { sql } from 'kysely';
import { audit } from '../../platform/audit/audit';
import type { Principal } from '../../platform/auth/roles';
import type { Database, Queryable } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import { conflict, notFound, unprocessable } from '../../platform/http/errors';
import { decodeCursor, page } from '../../platform/http/pagination';
import { newId } from '../../platform/ids';
import { existingSkus, productNamesOf } from '../catalog/public';
import { customerGroupIds } from '../customers/public';
import { isSale, orderLineFacts, orderSummaries } from '../orders/public';
import type { ReviewStatus } from './tables';

export interface Review {
  id: string;
  sku: string;
  order_id: string;
  customer_id: string;
  rating: number;
  text: string;
  status: ReviewStatus;
  created_at: string;
  moderated_at: string | null;
}

type Row = {
  id: string;
  sku: string;
  order_id: string;
  customer_id: string;
  rating: number;
  text: string;
  status: ReviewStatus;
  created_at: Date;
  moderated_at: Date | null;
};

const toReview = (r: Row): Review => ({
  id: r.id,
  sku: r.sku,
  order_id: r.order_id,
  customer_id: r.customer_id,
  rating: r.rating,
  text: r.text,
  status: r.status,
  created_at: r.created_at.toISOString(),
  moderated_at: r.moderated_at?.toISOString() ?? null,
});

const COLUMNS = [
  'id',
  'sku',
  'order_id',
  'customer_id',
  'rating',
  'text',
  'status',
  'created_at',
  'moderated_at',
] as const;

/**
 * The line of `sku` on an order the person (`root`, any id of their group) bought: a sale (paid or
 * completed, not cancelled). Null when they did not buy it there, whatever the reason, so the
 * answer does not tell a stranger whether the order exists.
 */
async function boughtLine(db: Queryable, root: string, orderId: string, sku: string): Promise<number | null> {
  const r = await sql<{ line_no: number }>`
    SELECT l.line_no FROM ${orderSummaries} o JOIN ${orderLineFacts} l ON l.order_id = o.id
    WHERE o.id = ${orderId} AND l.sku = ${sku} AND o.customer_id IN ${customerGroupIds(root)} AND ${isSale('o')}
    ORDER BY l.line_no LIMIT 1`.execute(db);
  return r.rows[0]?.line_no ?? null;
}

/** A buyer's review of a SKU they bought, one per order line; it waits for moderation (pending). */
export async function postReview(
  db: Queryable,
  input: { sku: string; root: string; order_id: string; rating: number; text: string },
): Promise<Review> {
  if ((await existingSkus(db, [input.sku])).size === 0) throw notFound(`product ${input.sku}`, 'sku');
  const lineNo = await boughtLine(db, input.root, input.order_id, input.sku);
  if (lineNo === null)
    throw unprocessable(
      'not_a_buyer',
      `the customer did not buy ${input.sku} in order ${input.order_id}: only its buyer may review it`,
      'order_id',
    );
  const row = await db
    .insertInto('product_reviews')
    .values({
      id: newId('rev'),
      sku: input.sku,
      order_id: input.order_id,
      line_no: lineNo,
      customer_id: input.root,
      rating: input.rating,
      text: input.text,
      moderated_at: null,
      moderated_by: null,
    })
    .onConflict((oc) => oc.columns(['order_id', 'line_no']).doNothing())
    .returning(COLUMNS)
    .executeTakeFirst();
  if (!row) throw conflict('review_exists', `order ${input.order_id} already has a review of ${input.sku}`, 'order_id');
  return toReview(row);
}

export interface ReviewSummary {
  sku: string;
  /** mean of the published ratings, one decimal; null before the first */
  average: number | null;
  count: number;
  /** published reviews per star, "1" to "5" */
  stars: Record<'1' | '2' | '3' | '4' | '5', number>;
  items: { id: string; rating: number; text: string; created_at: string }[];
}

/** The public face of a SKU's reviews: published ones only, counted per star, the newest `recent` with their text. */
export async function reviewSummary(db: Queryable, sku: string, recent: number): Promise<ReviewSummary> {
  if ((await existingSkus(db, [sku])).size === 0) throw notFound(`product ${sku}`, 'sku');
  const [counts, items] = await Promise.all([
    db
      .selectFrom('product_reviews')
      .select(['rating', (eb) => eb.fn.countAll<string>().as('n')])
      .where('sku', '=', sku)
      .where('status', '=', 'published')
      .groupBy('rating')
      .execute(),
    db
      .selectFrom('product_reviews')
      .select(['id', 'rating', 'text', 'created_at'])
      .where('sku', '=', sku)
      .where('status', '=', 'published')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(recent)
      .execute(),
  ]);
  const stars = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  let count = 0;
  let sum = 0;
  for (const c of counts) {
    const n = Number(c.n);
    stars[String(c.rating) as keyof typeof stars] = n;
    count += n;
    sum += n * c.rating;
  }
  return {
    sku,
    average: count ? Math.round((sum / count) * 10) / 10 : null,
    count,
    stars,
    items: items.map((r) => ({ id: r.id, rating: r.rating, text: r.text, created_at: r.created_at.toISOString() })),
  };
}

/**
 * The moderation queue: reviews in a status with the product's name. Pending oldest first (a work
 * queue); published and rejected newest first (what was just decided is on top).
 */
export async function listReviews(
  db: Queryable,
  q: { status: ReviewStatus; sku?: string; limit: number; cursor?: string },
) {
  const after = decodeCursor(q.cursor, 2, ['time', 'string']) as [string, string] | null;
  const dir = q.status === 'pending' ? 'asc' : 'desc';
  const past = dir === 'asc' ? '>' : '<';
  let query = db
    .selectFrom('product_reviews')
    .select(COLUMNS)
    .where('status', '=', q.status)
    .orderBy('created_at', dir)
    .orderBy('id', dir)
    .limit(q.limit + 1);
  if (q.sku) query = query.where('sku', '=', q.sku);
  if (after)
    query = query.where((eb) =>
      eb.or([
        eb('created_at', past, new Date(after[0])),
        eb.and([eb('created_at', '=', new Date(after[0])), eb('id', past, after[1])]),
      ]),
    );
  const rows = await query.execute();
  const names = await productNamesOf(db, [...new Set(rows.map((r) => r.sku))]);
  const p = page(rows, q.limit, (r) => [r.created_at.toISOString(), r.id]);
  return {
    items: p.items.map((r) => ({ ...toReview(r), product_name: names.get(r.sku) ?? null })),
    next_cursor: p.next_cursor,
  };
}

/** Publishes or rejects a review (a published one may be taken down, a rejected one published after all). */
export async function moderateReview(
  db: Database['db'],
  id: string,
  status: Exclude<ReviewStatus, 'pending'>,
  actor: Principal,
): Promise<Review> {
  return transact(db, async (tx) => {
    const row = await tx
      .updateTable('product_reviews')
      .set({ status, moderated_at: new Date(), moderated_by: actor.keyId })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirst();
    if (!row) throw notFound('review', 'id');
    await audit(tx, actor, { action: `review.${status}`, subject: id, details: { sku: row.sku } });
    return toReview(row);
  });
}
