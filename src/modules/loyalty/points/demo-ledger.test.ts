import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../test/server';
import { must } from '../../../../test/fixtures/goods';
import type { Tx } from '../../../platform/db/database';
import { tierOf } from '../tiers/service';
import { reverseForReturn } from './service';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false, demo: { customers: 400, months: 6 } });
});
afterAll(async () => s?.close());
const db = () => s.santong.ctx.database.db;

describe("the demo retailer's loyalty", () => {
  it('has a consistent ledger with earning, spending, expiry and referrals', async () => {
    const bad = await sql<{ customer_id: string }>`
      SELECT customer_id FROM (SELECT customer_id, sum(points) AS s FROM points_entries GROUP BY 1) e
      FULL JOIN (SELECT customer_id, sum(remaining) AS r FROM points_buckets GROUP BY 1) b USING (customer_id)
      WHERE coalesce(s, 0) <> coalesce(r, 0) OR coalesce(s, 0) < 0`.execute(db());
    expect(bad.rows).toEqual([]);
    const moved =
      await sql`SELECT b.id FROM points_buckets b LEFT JOIN (SELECT bucket_id, sum(points) AS m FROM points_moves GROUP BY 1) m ON m.bucket_id = b.id WHERE b.points - coalesce(m.m, 0) <> b.remaining`.execute(
        db(),
      );
    expect(moved.rows).toEqual([]);
    const kinds = (
      await sql<{ k: string }>`SELECT DISTINCT kind || '/' || source AS k FROM points_entries`.execute(db())
    ).rows.map((r) => r.k);
    expect(kinds).toEqual(
      expect.arrayContaining(['earn/order', 'redeem/order', 'expire/expiry', 'adjust/adjust', 'earn/referral']),
    );
    const due = await sql`SELECT id FROM points_buckets WHERE remaining > 0 AND expires_at <= now()`.execute(db());
    expect(due.rows).toEqual([]);
    const referrals = await db().selectFrom('referrals').selectAll().execute();
    expect(referrals.length).toBeGreaterThan(0);
    const r = referrals[0];
    const view = await must(s, 'GET', `/v1/customers/${r.referrer_id}/referrals`);
    expect(view.referred.map((x: { customer_id: string }) => x.customer_id)).toContain(r.referee_id);
  });

  it('holds the tiers the 12-month spend reaches', async () => {
    const held = await db().selectFrom('customer_tiers').select(['customer_id', 'tier']).limit(30).execute();
    expect(held.length).toBeGreaterThan(0);
    for (const h of held) expect((await tierOf(db(), [h.customer_id])).code).toBe(h.tier);
    const p = await must(s, 'GET', `/v1/customers/${held[0].customer_id}`);
    expect(p.loyalty.tier.code).toBe(held[0].tier);
    expect(p.loyalty.points.balance).toBeGreaterThanOrEqual(0);
  });

  it('reverses a returned demo order in proportion to its lines', async () => {
    const o = (
      await sql<{ order_ref: string; points: string }>`
      SELECT e.order_ref, e.points::text FROM points_entries e JOIN order_lines l ON l.order_id = e.order_ref
      WHERE e.kind = 'earn' AND e.source = 'order' AND e.points > 50 GROUP BY e.order_ref, e.points HAVING count(*) >= 2 LIMIT 1`.execute(
        db(),
      )
    ).rows[0];
    const lines = await db()
      .selectFrom('order_lines')
      .select(['line_no', 'qty'])
      .where('order_id', '=', o.order_ref)
      .orderBy('line_no')
      .execute();
    let total = 0;
    for (const l of lines) {
      const r = await db()
        .transaction()
        .execute((tx: Tx) =>
          reverseForReturn(tx, {
            order_ref: o.order_ref,
            return_ref: `ret_demo_${l.line_no}`,
            lines: [{ line_no: l.line_no, qty: l.qty, already_returned: 0, returning: l.qty, points_used: 0 }],
            refund: 0,
            now: new Date(),
          }),
        );
      total += r.reversed + r.unrecovered;
    }
    expect(total).toBe(Number(o.points));
  });
});
