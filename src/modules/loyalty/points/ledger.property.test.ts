/**
 * Property tests of the points ledger against a real database: random sequences of earning,
 * redeeming, expiry, returns and cancellations keep balance = sum of entries = points left in
 * buckets, never negative; redemption takes first-expiring first; reversals are exact.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../../test/db';
import type { Database } from '../../../platform/db/database';
import type { AppContext } from '../../../platform/http/context';
import { AppError } from '../../../platform/http/errors';
import { expirePoints } from './expire';
import { earnForOrder, redeemPoints, reverseForCancel, reverseForReturn } from './service';

let t: TestDatabase;
let database: Database;
let ctx: AppContext;
beforeAll(async () => {
  t = await freshDatabase();
  database = t.database;
  ctx = { database, log: { info() {} }, config: { timezone: 'Asia/Shanghai' } } as unknown as AppContext;
});
afterAll(async () => t?.drop());

const DAY = 86400_000;

type Op =
  | { op: 'earn'; lines: { qty: number; amount: number }[] }
  | { op: 'redeem'; points: number; order: number }
  | { op: 'wait'; days: number }
  | { op: 'return'; order: number; line: number; units: number }
  | { op: 'cancel'; order: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('earn' as const),
      lines: fc.array(
        fc.record({ qty: fc.integer({ min: 1, max: 5 }), amount: fc.integer({ min: 0, max: 300_000 }) }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('redeem' as const),
      points: fc.integer({ min: 1, max: 4000 }),
      order: fc.nat(20),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 250 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('return' as const),
      order: fc.nat(20),
      line: fc.nat(2),
      units: fc.integer({ min: 1, max: 5 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), order: fc.nat(20) }) },
);

interface OrderModel {
  ref: string;
  lines: { qty: number; amount: number; returned: number; points_used: number }[];
  redeemed: number;
  cancelled: boolean;
}

let runNo = 0;

async function invariants(customer: string, now: Date): Promise<number> {
  const db = database.db;
  const sum = Number(
    (
      await sql<{
        n: string;
      }>`SELECT coalesce(sum(points), 0)::text AS n FROM points_entries WHERE customer_id = ${customer}`.execute(db)
    ).rows[0].n,
  );
  const left = Number(
    (
      await sql<{
        n: string;
      }>`SELECT coalesce(sum(remaining), 0)::text AS n FROM points_buckets WHERE customer_id = ${customer}`.execute(db)
    ).rows[0].n,
  );
  expect(sum).toBe(left);
  expect(sum).toBeGreaterThanOrEqual(0);
  // every bucket: what it had, less what moved out, is what is left
  const bad = await sql`
    SELECT b.id FROM points_buckets b LEFT JOIN (SELECT bucket_id, sum(points) AS moved FROM points_moves GROUP BY bucket_id) m ON m.bucket_id = b.id
    WHERE b.customer_id = ${customer} AND (b.points - coalesce(m.moved, 0) <> b.remaining OR b.remaining < 0 OR b.remaining > b.points)`.execute(
    db,
  );
  expect(bad.rows).toEqual([]);
  // every negative entry's moves add up to its points; reversals: taken + unrecovered = intended
  const entries = await sql<{ id: string; points: string; moved: string | null }>`
    SELECT e.id, e.points::text, (SELECT sum(points)::text FROM points_moves m WHERE m.entry_id = e.id) AS moved
    FROM points_entries e WHERE e.customer_id = ${customer} AND e.kind IN ('redeem','expire','reverse')`.execute(db);
  for (const e of entries.rows) expect(Number(e.points) + Number(e.moved ?? 0)).toBe(0);
  void now;
  return sum;
}

describe('points ledger properties', () => {
  it('keeps balance = sum of entries, never negative, FIFO by expiry, exact reversals', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: 18 }), async (ops) => {
        const run = ++runNo;
        const customer = `cus_prop_${run}`;
        await sql`INSERT INTO customers (id, created_at) VALUES (${customer}, ${new Date('2024-01-01T00:00:00Z')})`.execute(
          database.db,
        );
        let now = new Date(Date.UTC(2025, 0, 10, 4));
        const orders: OrderModel[] = [];
        const db = database.db;
        for (const op of ops) {
          if (op.op === 'wait') {
            now = new Date(now.getTime() + op.days * DAY);
            await expirePoints(ctx, now);
            const due =
              await sql`SELECT id FROM points_buckets WHERE customer_id = ${customer} AND remaining > 0 AND expires_at <= ${now}`.execute(
                db,
              );
            expect(due.rows).toEqual([]);
          } else if (op.op === 'earn') {
            const o: OrderModel = {
              ref: `ord_p${run}_${orders.length}`,
              lines: op.lines.map((l) => ({ ...l, returned: 0, points_used: 0 })),
              redeemed: 0,
              cancelled: false,
            };
            orders.push(o);
            await db.transaction().execute((tx) =>
              earnForOrder(tx, {
                customer_id: customer,
                order_ref: o.ref,
                channel: 'app',
                lines: op.lines.map((l, i) => ({
                  line_no: i + 1,
                  sku: 'S',
                  category: 'c',
                  qty: l.qty,
                  amount: l.amount,
                })),
                total: op.lines.reduce((x, l) => x + l.amount, 0),
                now,
              }),
            );
            // idempotent per order
            const again = await db
              .transaction()
              .execute((tx) =>
                earnForOrder(tx, { customer_id: customer, order_ref: o.ref, channel: 'app', lines: [], total: 0, now }),
              );
            const earned = Number(
              (
                await sql<{
                  n: string;
                }>`SELECT coalesce(sum(points),0)::text AS n FROM points_entries WHERE order_ref = ${o.ref} AND kind = 'earn'`.execute(
                  db,
                )
              ).rows[0].n,
            );
            expect(again.earned).toBe(earned);
          } else if (op.op === 'redeem') {
            // a redemption belongs to a new order (placed before it is paid); its points are spread over the lines
            const before = await invariants(customer, now);
            const o: OrderModel = {
              ref: `ord_p${run}_${orders.length}_r`,
              lines: [
                { qty: 2, amount: 10_000, returned: 0, points_used: 0 },
                { qty: 1, amount: 5_000, returned: 0, points_used: 0 },
              ],
              redeemed: 0,
              cancelled: false,
            };
            try {
              await db
                .transaction()
                .execute((tx) => redeemPoints(tx, { customer_id: customer, points: op.points, order_ref: o.ref, now }));
              o.redeemed = op.points;
              o.lines[0].points_used = Math.floor((op.points * 2) / 3);
              o.lines[1].points_used = op.points - o.lines[0].points_used;
              orders.push(o);
              // FIFO: no bucket expiring before the latest one taken from is left with points
              const taken = await sql<{ latest: Date }>`
                SELECT max(b.expires_at) AS latest FROM points_moves m JOIN points_buckets b ON b.id = m.bucket_id JOIN points_entries e ON e.id = m.entry_id
                WHERE e.order_ref = ${o.ref} AND e.kind = 'redeem'`.execute(db);
              const earlierLeft =
                await sql`SELECT id FROM points_buckets WHERE customer_id = ${customer} AND remaining > 0 AND expires_at < ${taken.rows[0].latest}`.execute(
                  db,
                );
              expect(earlierLeft.rows).toEqual([]);
            } catch (e) {
              expect(e).toBeInstanceOf(AppError);
              expect((e as AppError).code).toBe('insufficient_points');
              expect(before).toBeLessThan(op.points);
            }
          } else if (op.op === 'return' || op.op === 'cancel') {
            if (orders.length === 0) continue;
            const o = orders[op.order % orders.length];
            if (o.cancelled) continue;
            if (op.op === 'cancel') {
              o.cancelled = true;
              await db.transaction().execute((tx) => reverseForCancel(tx, { order_ref: o.ref, now }));
            } else {
              const li = op.line % o.lines.length;
              const l = o.lines[li];
              const k = Math.min(op.units, l.qty - l.returned);
              if (k === 0) continue;
              const ref = `ret_${o.ref}_${li}_${l.returned}`;
              const input = {
                order_ref: o.ref,
                return_ref: ref,
                lines: [
                  {
                    line_no: li + 1,
                    qty: l.qty,
                    already_returned: l.returned,
                    returning: k,
                    points_used: l.points_used,
                  },
                ],
                refund: 0,
                now,
              };
              const first = await db.transaction().execute((tx) => reverseForReturn(tx, input));
              const replay = await db.transaction().execute((tx) => reverseForReturn(tx, input));
              expect(replay).toEqual(first);
              l.returned += k;
            }
            const after = await invariants(customer, now);
            // unrecovered only when the balance was used up
            const rev = await sql<{
              unrecovered: string;
            }>`SELECT unrecovered::text FROM points_entries WHERE order_ref = ${o.ref} AND reverses = 'earn' ORDER BY id DESC LIMIT 1`.execute(
              db,
            );
            if (rev.rows.length && Number(rev.rows[0].unrecovered) > 0) {
              const left = Number(
                (
                  await sql<{
                    n: string;
                  }>`SELECT coalesce(sum(remaining),0)::text AS n FROM points_buckets WHERE customer_id = ${customer} AND expires_at > ${now}`.execute(
                    db,
                  )
                ).rows[0].n,
              );
              expect(left).toBe(0);
              expect(after).toBe(0);
            }
            // a fully returned or cancelled order: every earned point reversed (taken or unrecovered), every redeemed point given back
            if (o.cancelled || o.lines.every((x) => x.returned === x.qty)) {
              const s = (
                await sql<{ earned: string; reversed: string; redeemed: string; restored: string }>`
                SELECT coalesce(sum(points) FILTER (WHERE kind = 'earn' AND source = 'order'), 0)::text AS earned,
                       coalesce(sum(unrecovered - points) FILTER (WHERE reverses = 'earn'), 0)::text AS reversed,
                       coalesce(-sum(points) FILTER (WHERE kind = 'redeem'), 0)::text AS redeemed,
                       coalesce(sum(points) FILTER (WHERE reverses = 'redeem'), 0)::text AS restored
                FROM points_entries WHERE order_ref = ${o.ref}`.execute(db)
              ).rows[0];
              expect(Number(s.reversed)).toBe(Number(s.earned));
              expect(Number(s.restored)).toBe(Number(s.redeemed));
              expect(Number(s.redeemed)).toBe(o.redeemed);
            }
          }
          await invariants(customer, now);
        }
      }),
      { numRuns: 30, seed: 20250110, endOnFailure: true },
    );
    // the runs went through every path: expiry, redemption, both kinds of reversal, unrecovered points
    const seen = (
      await sql<{ kind: string; reverses: string | null; short: boolean }>`
      SELECT DISTINCT kind, reverses, unrecovered > 0 AS short FROM points_entries`.execute(database.db)
    ).rows.map((r) => `${r.kind}/${r.reverses ?? ''}/${r.short}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        'earn//false',
        'redeem//false',
        'expire//false',
        'reverse/earn/false',
        'reverse/earn/true',
        'reverse/redeem/false',
      ]),
    );
  });
});
