import { sql } from 'kysely';
import type { Database } from '../platform/db/database';

/** How many of the best-selling SKUs get reviews, and how many reviews each at most. */
const POPULAR_SKUS = 12;
const PER_SKU = 10;

const GOOD = [
  '质量很好，和描述一致',
  '性价比高，还会回购',
  '包装完好，门店自提很方便',
  '家里人都说好',
  '送货很快，东西新鲜',
];
const FAIR = ['还可以，中规中矩', '东西不错，就是价格略高', '一般般，没有想象中好'];
const POOR = ['不太满意，和预期差距较大', '包装有破损，门店给换了'];

/**
 * Reviews on the demo's popular products: for each of the best-selling SKUs, buyers of its most
 * recent sales to members review it a few days after buying (ratings mostly 4-5 stars, drawn from
 * the order id, so the same seed gives the same reviews); the newest two per SKU wait in the
 * moderation queue, the rest are published. One statement, bounded by POPULAR_SKUS × PER_SKU.
 */
export async function seedDemoReviews(database: Database): Promise<void> {
  await sql`
    WITH popular AS (
      SELECT l.sku FROM order_lines l GROUP BY l.sku ORDER BY count(*) DESC, l.sku LIMIT ${POPULAR_SKUS}
    ), bought AS (
      SELECT o.id AS order_id, l.line_no, l.sku, o.customer_id, o.placed_at,
             abs(hashtext(o.id)) % 100 AS roll, abs(hashtext(o.id || l.sku)) AS pick,
             row_number() OVER (PARTITION BY l.sku ORDER BY o.placed_at DESC, o.id) AS n
      FROM popular p JOIN order_lines l ON l.sku = p.sku JOIN orders o ON o.id = l.order_id
      WHERE o.customer_id IS NOT NULL AND o.status = 'completed'
    ), rated AS (
      SELECT *, CASE WHEN roll < 55 THEN 5 WHEN roll < 85 THEN 4 WHEN roll < 94 THEN 3 WHEN roll < 98 THEN 2 ELSE 1 END AS rating
      FROM bought WHERE n <= ${PER_SKU}
    )
    INSERT INTO product_reviews (id, sku, order_id, line_no, customer_id, rating, text, status, created_at, moderated_at)
    SELECT 'rev_demo_' || order_id || '_' || line_no, sku, order_id, line_no, customer_id, rating,
           CASE WHEN rating >= 4 THEN (${GOOD}::text[])[1 + pick % ${GOOD.length}]
                WHEN rating = 3 THEN (${FAIR}::text[])[1 + pick % ${FAIR.length}]
                ELSE (${POOR}::text[])[1 + pick % ${POOR.length}] END,
           CASE WHEN n <= 2 THEN 'pending' ELSE 'published' END,
           least(placed_at + interval '3 days', now()),
           CASE WHEN n <= 2 THEN NULL ELSE least(placed_at + interval '4 days', now()) END
    FROM rated
    ON CONFLICT DO NOTHING`.execute(database.db);
}
