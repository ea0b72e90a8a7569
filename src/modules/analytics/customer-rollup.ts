/**
 * Customer rollups, kept with the sales rollups (rollup.ts calls these from applyOrderEvents and
 * rebuildSalesRollups, in the same transaction, with the same scope of orders and returns):
 *
 * - analytics_customer_daily: per day × customer id × channel group (online / store), the identified
 *   buyer's gross sales, discounts (coupons + points) and orders on the day the sale was placed, and
 *   the refunds of their returns on the day of the return. Contributions are signed (+1 / −1) and
 *   commute, as in rollup.ts; rows that fall back to zero are deleted.
 * - analytics_customer_firsts: the day of each person's (root's) first sale ever, the earliest day
 *   with orders above. A sale only moves it earlier (least(), so concurrent batches agree); a batch
 *   that takes a sale away (a paid order cancelled) recomputes it exactly for the people it touched.
 *
 * - analytics_customer_day_sums: the same sums per day over every buyer (additive).
 * - the tables derived per person (customer-derived.ts): recomputed for the people a batch touches,
 *   under their locks. A rebuild derives these and the day sums from analytics_customer_daily.
 *
 * A person is counted by the group root their rows carried when last written; a merge of two people
 * who already bought is reflected by the next `santong analytics rebuild`.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { customerRoots } from '../customers/public';
import { orderFacts, orderLineFacts, returnLineFacts } from '../orders/public';
import { byteOrder } from '../../platform/db/locks';
import { applyPeopleDelta, lockCustomerRoots, rebuildPeopleTables, snapshotPeople } from './customer-derived';

const day = (col: RawBuilder<unknown>, tz: string) => sql`(${col} AT TIME ZONE ${tz})::date`;
const group = sql`CASE WHEN o.channel = 'pos' THEN 'store' ELSE 'online' END`;

/**
 * Adds the contributions of the orders and returns in scope (rollup.ts's fragments of `(id, sign)`
 * rows) to the customer rollups. `signed` = the orders' signs in an incremental batch; null = a
 * rebuild: everything is recomputed from scratch.
 */
export async function applyCustomerRollups(
  db: Queryable,
  tz: string,
  signed: readonly { sign: number }[] | null,
  orders: RawBuilder<unknown>,
  returns: RawBuilder<unknown>,
): Promise<void> {
  const all = signed === null;
  if (all) {
    await sql`DELETE FROM analytics_customer_firsts`.execute(db);
    await sql`DELETE FROM analytics_customer_daily`.execute(db);
  }
  const rows = sql`
    SELECT ${day(sql`o.placed_at`, tz)} AS day, o.customer_id, ${group} AS channel_group,
           s.sign * l.gross AS gross_sales, s.sign * l.discounts AS discounts, 0::bigint AS refunds, s.sign AS orders
    FROM ${orders} s JOIN ${orderFacts} o ON o.id = s.id
    JOIN LATERAL (
      SELECT coalesce(sum(amount + coupon_discount + points_discount), 0) AS gross,
             coalesce(sum(coupon_discount + points_discount), 0) AS discounts
      FROM ${orderLineFacts} x WHERE x.order_id = o.id) l ON true
    WHERE o.customer_id IS NOT NULL
    UNION ALL
    SELECT ${day(sql`r.created_at`, tz)}, o.customer_id, ${group}, 0, 0, s.sign * r.amount, 0
    FROM ${returns} s JOIN ${returnLineFacts} r ON r.return_id = s.id JOIN ${orderFacts} o ON o.id = r.order_id
    WHERE o.customer_id IS NOT NULL`;
  // The people touched (the customers' roots now and those their rows carry), locked, and their
  // derived rows before the change.
  const people = all ? [] : await touchedRoots(db, rows);
  await lockCustomerRoots(db, people);
  const before = people.length > 0 ? await snapshotPeople(db, people) : null;
  if (!all) await addDaySums(db, rows);
  const changed = await sql<{ zero: boolean; day: string; customer_id: string; channel_group: string; root: string }>`
    INSERT INTO analytics_customer_daily AS t (day, customer_id, channel_group, root, gross_sales, discounts, refunds, orders)
    SELECT x.day, x.customer_id, x.channel_group, coalesce(min(c.root), x.customer_id),
           sum(x.gross_sales), sum(x.discounts), sum(x.refunds), sum(x.orders)
    FROM (${rows}) x LEFT JOIN ${customerRoots} c ON c.id = x.customer_id
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, customer_id, channel_group) DO UPDATE SET
      gross_sales = t.gross_sales + excluded.gross_sales, discounts = t.discounts + excluded.discounts,
      refunds = t.refunds + excluded.refunds, orders = t.orders + excluded.orders, root = excluded.root
    RETURNING (gross_sales = 0 AND discounts = 0 AND refunds = 0 AND orders = 0) AS zero,
              day::text AS day, customer_id, channel_group, root`.execute(db);
  const zero = changed.rows.filter((r) => r.zero);
  if (zero.length > 0)
    await sql`DELETE FROM analytics_customer_daily t USING json_to_recordset(${JSON.stringify(zero)}::json)
        AS z(day date, customer_id text, channel_group text)
      WHERE t.day = z.day AND t.customer_id = z.customer_id AND t.channel_group = z.channel_group
        AND t.gross_sales = 0 AND t.discounts = 0 AND t.refunds = 0 AND t.orders = 0`.execute(db);

  if (all) {
    await sql`INSERT INTO analytics_customer_firsts (root, first_day)
      SELECT root, min(day) FROM analytics_customer_daily WHERE orders > 0 GROUP BY root ORDER BY root`.execute(db);
    await rebuildPeopleTables(db);
    return;
  }
  if (before) await applyPeopleDelta(db, before, await snapshotPeople(db, people));
  const roots = [...new Set(changed.rows.map((r) => r.root))].sort();
  if (roots.length === 0) return;
  // A sale taken away may have been the first: recompute exactly; otherwise a sale only moves it earlier.
  const exact = signed.some((o) => o.sign < 0);
  await sql`
    INSERT INTO analytics_customer_firsts AS t (root, first_day)
    SELECT d.root, min(d.day) FROM analytics_customer_daily d
    WHERE d.root = ANY(${roots}::text[]) AND d.orders > 0 GROUP BY d.root ORDER BY d.root
    ON CONFLICT (root) DO UPDATE SET
      first_day = CASE WHEN ${exact} THEN excluded.first_day ELSE least(t.first_day, excluded.first_day) END`.execute(
    db,
  );
  if (exact)
    await sql`DELETE FROM analytics_customer_firsts t WHERE t.root = ANY(${roots}::text[])
      AND NOT EXISTS (SELECT 1 FROM analytics_customer_daily d WHERE d.root = t.root AND d.orders > 0)`.execute(db);
}

/** The roots of the people whose customer-days these rows change: their group root now and the rows' own. */
async function touchedRoots(db: Queryable, rows: RawBuilder<unknown>): Promise<string[]> {
  const found = await sql<{ root: string }>`
    WITH x AS (SELECT DISTINCT day, customer_id, channel_group FROM (${rows}) r)
    SELECT coalesce(c.root, x.customer_id) AS root FROM x LEFT JOIN ${customerRoots} c ON c.id = x.customer_id
    UNION
    SELECT d.root FROM x JOIN analytics_customer_daily d
      ON d.day = x.day AND d.customer_id = x.customer_id AND d.channel_group = x.channel_group`.execute(db);
  return found.rows.map((r) => r.root).sort(byteOrder);
}

/** Adds the rows' sums by day to analytics_customer_day_sums; days that fall back to zero are deleted. */
async function addDaySums(db: Queryable, rows: RawBuilder<unknown>): Promise<void> {
  const changed = await sql<{ day: string; zero: boolean }>`
    INSERT INTO analytics_customer_day_sums AS t (day, gross_sales, discounts, refunds, orders)
    SELECT day, sum(gross_sales), sum(discounts), sum(refunds), sum(orders) FROM (${rows}) x GROUP BY 1 ORDER BY 1
    ON CONFLICT (day) DO UPDATE SET gross_sales = t.gross_sales + excluded.gross_sales,
      discounts = t.discounts + excluded.discounts, refunds = t.refunds + excluded.refunds, orders = t.orders + excluded.orders
    RETURNING day::text AS day, (gross_sales = 0 AND discounts = 0 AND refunds = 0 AND orders = 0) AS zero`.execute(db);
  const zero = changed.rows.filter((r) => r.zero).map((r) => r.day);
  if (zero.length > 0)
    await sql`DELETE FROM analytics_customer_day_sums WHERE day = ANY(${zero}::date[])
      AND gross_sales = 0 AND discounts = 0 AND refunds = 0 AND orders = 0`.execute(db);
}
