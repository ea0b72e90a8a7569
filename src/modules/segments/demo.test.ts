import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestServer, type TestServer } from '../../../test/server';
import { DEMO_SEGMENTS } from '../../demo/segments';

// The demo retailer (300 customers) ships with its saved segments and the preset computed tags
// evaluated: stored memberships equal a fresh evaluation, the backfill published nothing, and the
// 3C enthusiast preset agrees with a count made here from the raw rows.

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ demo: true, startDispatcher: false });
});
afterAll(async () => s?.close());

describe('the demo retailer', () => {
  it('has its saved segments and presets evaluated, as a fresh preview counts them', async () => {
    const segments = (await s.api('GET', '/v1/segments')).body.items as { name: string; rule: unknown; size: number }[];
    expect(segments.map((x) => x.name).sort()).toEqual(DEMO_SEGMENTS.map((x) => x.name).sort());
    const tags = (await s.api('GET', '/v1/tags')).body.items as {
      name: string;
      rule: unknown;
      size: number;
      evaluated_at: string | null;
    }[];
    expect(tags).toHaveLength(4);
    for (const x of [...segments, ...tags]) {
      const preview = await s.api('POST', '/v1/segments/preview', { rule: x.rule });
      expect({ name: x.name, size: x.size }).toEqual({ name: x.name, size: preview.body.size });
    }
    expect(tags.every((t) => t.evaluated_at !== null)).toBe(true);
    expect(tags.filter((t) => t.size > 0).length).toBeGreaterThanOrEqual(3);
    const db = s.santong.ctx.database.db;
    const published = await db
      .selectFrom('outbox')
      .select('id')
      .where('type', 'in', ['segment.entered', 'tag.entered'])
      .execute();
    expect(published).toEqual([]);
  });

  it('counts 3C enthusiasts as the raw rows do: two or more sales with a 3c line in 365 days', async () => {
    const db = s.santong.ctx.database.db;
    const rows = await sql<{ customer_id: string; order_id: string }>`
      SELECT DISTINCT o.customer_id, o.id AS order_id FROM orders o
      JOIN order_lines l ON l.order_id = o.id JOIN products p ON p.sku = l.sku
      WHERE p.category = '3c' AND (o.paid_at IS NOT NULL OR o.status = 'completed') AND o.status NOT IN ('cancelled', 'expired')
        AND o.placed_at > now() - interval '365 days'`.execute(db);
    const people = await sql<{ id: string; root: string; counted: boolean }>`
      SELECT c.id, coalesce(c.root_id, c.id) AS root, (r.kind = 'known' AND r.erased_at IS NULL) AS counted
      FROM customers c JOIN customers r ON r.id = coalesce(c.root_id, c.id)`.execute(db);
    const rootOf = new Map(people.rows.map((p) => [p.id, p]));
    const orders = new Map<string, Set<string>>();
    for (const r of rows.rows) {
      const p = rootOf.get(r.customer_id);
      if (!p?.counted) continue;
      orders.set(p.root, (orders.get(p.root) ?? new Set()).add(r.order_id));
    }
    const expected = [...orders].filter(([, o]) => o.size >= 2).map(([root]) => root);
    const tag = (await s.api('GET', `/v1/tags/${encodeURIComponent('3C发烧友')}`)).body;
    expect(tag.size).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(0);
    const stored = await db
      .selectFrom('segment_members')
      .select('customer_id')
      .where('segment_id', '=', tag.id)
      .execute();
    expect(stored.map((m) => m.customer_id).sort()).toEqual(expected.sort());
  });
});
