import '../points/tables';
import './tables';
import { sql } from 'kysely';
import type { Queryable, Tx } from '../../../platform/db/database';

/** The start of the rolling 12-month window that ends at `now`. */
export function windowStart(now: Date): Date {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - 12);
  return d;
}

/** The person's spend (fen) over the 12 months up to `now`, from the spend ledger. */
export async function spend12m(db: Queryable, members: string[], now: Date): Promise<number> {
  const r = await sql<{ n: string }>`
    SELECT coalesce(sum(amount), 0)::text AS n FROM tier_spend
    WHERE customer_id = ANY(${members}::text[]) AND at > ${windowStart(now)} AND at <= ${now}`.execute(db);
  return Number(r.rows[0].n);
}

/** What an order still counts for (its paid total less what was taken off by returns/cancel), and when. */
export async function orderSpend(
  db: Queryable,
  orderRef: string,
): Promise<{ customer_id: string; left: number; at: Date } | null> {
  const rows = await db
    .selectFrom('tier_spend')
    .select(['customer_id', 'ref', 'amount', 'at'])
    .where('order_ref', '=', orderRef)
    .execute();
  const o = rows.find((r) => r.ref === 'order');
  if (!o) return null;
  return { customer_id: o.customer_id, left: rows.reduce((t, r) => t + Number(r.amount), 0), at: new Date(o.at) };
}

/** Adds a line to the spend ledger (idempotent per order and ref); reductions are dated with their order. */
export async function recordSpend(
  tx: Tx,
  row: { customer_id: string; order_ref: string; ref: string; amount: number; at: Date },
): Promise<void> {
  await tx
    .insertInto('tier_spend')
    .values(row)
    .onConflict((oc) => oc.columns(['order_ref', 'ref']).doNothing())
    .execute();
}

export async function hasSpend(db: Queryable, orderRef: string, ref: string): Promise<boolean> {
  return (
    (await db
      .selectFrom('tier_spend')
      .select('id')
      .where('order_ref', '=', orderRef)
      .where('ref', '=', ref)
      .executeTakeFirst()) !== undefined
  );
}
