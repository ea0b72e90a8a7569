import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/server';
import { KeyRing, open } from '../platform/crypto/keys';
import { demoProducts } from './catalog';
import { COUPON_COLUMNS, DemoCoupons } from './coupons';
import { BUCKET_COLUMNS, DemoLoyalty, ENTRY_COLUMNS } from './loyalty';
import {
  CUSTOMER_COLUMNS,
  HistoryGenerator,
  IDENTIFIER_COLUMNS,
  LINE_COLUMNS,
  ORDER_COLUMNS,
  type Chunk,
} from './history';
import { DEMO_CATEGORIES, DEMO_LOCATIONS } from './retailer';

/** Parses the CSV the generator writes for COPY (quoted fields, "" escapes, no embedded newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields: string[] = [];
    let i = 0;
    while (i <= line.length) {
      if (line[i] === '"') {
        let v = '';
        i++;
        while (i < line.length) {
          if (line[i] === '"' && line[i + 1] === '"') {
            v += '"';
            i += 2;
          } else if (line[i] === '"') {
            i++;
            break;
          } else v += line[i++];
        }
        fields.push(v);
        i++; // the comma
      } else {
        const end = line.indexOf(',', i);
        fields.push(line.slice(i, end === -1 ? line.length : end));
        i = end === -1 ? line.length + 1 : end + 1;
      }
    }
    rows.push(fields);
  }
  return rows;
}

function records(text: string, columns: string[]): Record<string, string>[] {
  return parseCsv(text).map((fields) => {
    expect(fields).toHaveLength(columns.length);
    return Object.fromEntries(columns.map((c, i) => [c, fields[i]]));
  });
}

/** The same records with the encrypted columns (random IVs and data keys by design) left out. */
function withoutEncrypted(text: string, columns: string[], encrypted: string[]): string[][] {
  return parseCsv(text).map((fields) => fields.filter((_, i) => !encrypted.includes(columns[i])));
}

const masterKey = crypto.createHash('sha256').update('demo-test-master').digest();
const SEED = 42;
/** A window that covers June (618) in full: February to the end of July 2024. */
const ANCHOR = new Date('2024-07-31T15:00:00+08:00');
const products = demoProducts(SEED);

function generate(customers: number, keys = new KeyRing(masterKey)): Chunk {
  return new HistoryGenerator({ seed: SEED, anchor: ANCHOR, months: 6, products, eventsPerCustomer: 4 }, keys).chunk(
    0,
    customers,
  );
}

/** Local (Asia/Shanghai, UTC+8 without DST) calendar date of an instant. */
const localDate = (iso: string) => new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 10);

describe('demo generator', () => {
  it('is deterministic for a seed, apart from the encrypted columns', () => {
    const a = generate(150);
    const b = generate(150);
    expect(a.counts).toEqual(b.counts);
    expect(a.counts.orders).toBeGreaterThan(150);
    expect(a.orders).toBe(b.orders);
    expect(a.lines).toBe(b.lines);
    expect(a.events).toBe(b.events);
    expect(withoutEncrypted(a.customers, CUSTOMER_COLUMNS, ['data_key', 'pii'])).toEqual(
      withoutEncrypted(b.customers, CUSTOMER_COLUMNS, ['data_key', 'pii']),
    );
    expect(withoutEncrypted(a.identifiers, IDENTIFIER_COLUMNS, ['value_enc'])).toEqual(
      withoutEncrypted(b.identifiers, IDENTIFIER_COLUMNS, ['value_enc']),
    );

    // The encrypted columns differ between runs but hold the same personal data.
    const keys = new KeyRing(masterKey);
    const [ca, cb] = [records(a.customers, CUSTOMER_COLUMNS)[0], records(b.customers, CUSTOMER_COLUMNS)[0]];
    expect(ca.pii).not.toBe(cb.pii);
    const pii = (c: Record<string, string>) => {
      const dek = keys.unwrap(Buffer.from(c.data_key.replace(/^\\x/, ''), 'hex'));
      return JSON.parse(open(dek, Buffer.from(c.pii.replace(/^\\x/, ''), 'hex')).toString('utf8'));
    };
    expect(pii(ca)).toEqual(pii(cb));
    expect(pii(ca)).toEqual({ name: expect.any(String), birthday: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });

    // Another seed is another retailer.
    const other = new HistoryGenerator(
      { seed: SEED + 1, anchor: ANCHOR, months: 6, products, eventsPerCustomer: 4 },
      keys,
    ).chunk(0, 150);
    expect(other.orders).not.toBe(a.orders);
  });

  it('generates the same chunk whether customers are generated in one go or in pieces', () => {
    const whole = generate(120);
    const gen = new HistoryGenerator(
      { seed: SEED, anchor: ANCHOR, months: 6, products, eventsPerCustomer: 4 },
      new KeyRing(masterKey),
    );
    const pieces = [gen.chunk(0, 50), gen.chunk(50, 120)];
    expect(pieces.map((p) => p.orders).join('')).toBe(whole.orders);
    expect(pieces.map((p) => p.lines).join('')).toBe(whole.lines);
  });

  it('makes coupons and points from the chunk in memory: deterministic, the same coupons in one go or in pieces, a consistent ledger', () => {
    const whole = generate(400);
    const gen = new HistoryGenerator(
      { seed: SEED, anchor: ANCHOR, months: 6, products, eventsPerCustomer: 4 },
      new KeyRing(masterKey),
    );
    const pieces = [gen.chunk(0, 150), gen.chunk(150, 400)];
    const coupons = (chunks: Chunk[]) => {
      const c = new DemoCoupons({ seed: SEED, anchor: ANCHOR, months: 6, products });
      return chunks.map((x) => c.rows(x.people).coupons).join('');
    };
    expect(coupons([whole])).toBe(coupons(pieces));
    const issued = records(coupons([whole]), COUPON_COLUMNS);
    expect(issued.length).toBeGreaterThan(50);
    const orders = new Map(records(whole.orders, ORDER_COLUMNS).map((o) => [o.id, o]));
    for (const c of issued.filter((x) => x.status === 'redeemed')) {
      const o = orders.get(c.order_ref)!;
      expect(o.customer_id).toBe(c.customer_id);
      expect(Number(o.discount_total)).toBe(Number(c.redeemed_amount));
      expect(Number(o.discount_total)).toBeGreaterThan(0);
    }

    const ledger = () => new DemoLoyalty({ seed: SEED, anchor: ANCHOR }).rows(whole.people);
    const a = ledger();
    expect(ledger()).toEqual(a);
    const sum = new Map<string, number>();
    for (const e of records(a.entries, ENTRY_COLUMNS))
      sum.set(e.customer_id, (sum.get(e.customer_id) ?? 0) + Number(e.points));
    for (const b of records(a.buckets, BUCKET_COLUMNS)) {
      expect(Number(b.remaining)).toBeGreaterThanOrEqual(0);
      sum.set(b.customer_id, (sum.get(b.customer_id) ?? 0) - Number(b.remaining));
    }
    expect([...sum.values()].every((v) => v === 0)).toBe(true);
    expect(a.tierSpend.split('\n').length - 1).toBe(
      [...orders.values()].filter((o) => o.status !== 'cancelled').length,
    );
  });

  it('has ~500 products in the six categories with positive integer prices, 1 DC and 12 stores', () => {
    expect(demoProducts(SEED)).toEqual(products);
    expect(products.length).toBeGreaterThanOrEqual(450);
    expect(products.length).toBeLessThanOrEqual(550);
    expect(new Set(products.map((p) => p.category))).toEqual(
      new Set(['appliances', '3c', 'mother_baby', 'fresh', 'snacks', 'personal_care']),
    );
    expect(Object.keys(DEMO_CATEGORIES)).toHaveLength(6);
    expect(new Set(products.map((p) => p.sku)).size).toBe(products.length);
    for (const p of products) {
      expect(Number.isInteger(p.list_price), p.sku).toBe(true);
      expect(p.list_price, p.sku).toBeGreaterThan(0);
      expect(p.channels.length, p.sku).toBeGreaterThan(0);
    }
    expect(DEMO_LOCATIONS.filter((l) => l.type === 'dc')).toHaveLength(1);
    expect(DEMO_LOCATIONS.filter((l) => l.type === 'store')).toHaveLength(12);
    expect(DEMO_LOCATIONS).toHaveLength(13);
  });

  describe('a six-month history covering June', () => {
    let orders: Record<string, string>[];
    let lines: Record<string, string>[];
    beforeAll(() => {
      const c = generate(2500);
      orders = records(c.orders, ORDER_COLUMNS);
      lines = records(c.lines, LINE_COLUMNS);
    });

    it('adds up: total = subtotal - discount + delivery fee; lines sum to subtotal - discount', () => {
      const byOrder = new Map<string, Record<string, string>[]>();
      for (const l of lines) byOrder.set(l.order_id, [...(byOrder.get(l.order_id) ?? []), l]);
      const skus = new Map(products.map((p) => [p.sku, p]));
      const problems: string[] = [];
      for (const o of orders) {
        const [subtotal, discount, fee, total] = [o.subtotal, o.discount_total, o.delivery_fee, o.total].map(Number);
        if (![subtotal, discount, fee, total].every((n) => Number.isInteger(n) && n >= 0))
          problems.push(`${o.id}: amounts ${[subtotal, discount, fee, total]}`);
        if (total !== subtotal - discount + fee)
          problems.push(`${o.id}: total ${total} != ${subtotal} - ${discount} + ${fee}`);
        const ls = byOrder.get(o.id) ?? [];
        if (ls.length === 0) problems.push(`${o.id}: no lines`);
        const amounts = ls.reduce((t, l) => t + Number(l.amount), 0);
        if (amounts !== subtotal - discount) problems.push(`${o.id}: lines ${amounts} != ${subtotal} - ${discount}`);
        if (ls.reduce((t, l) => t + Number(l.discount), 0) !== discount)
          problems.push(`${o.id}: line discounts != ${discount}`);
        ls.forEach((l, i) => {
          if (Number(l.line_no) !== i + 1) problems.push(`${o.id}: line_no ${l.line_no} at ${i}`);
          if (Number(l.amount) !== Number(l.unit_price) * Number(l.qty) - Number(l.discount))
            problems.push(`${o.id}/${l.line_no}: amount`);
          if (Number(l.unit_price) !== skus.get(l.sku)?.list_price)
            problems.push(`${o.id}/${l.line_no}: price of ${l.sku}`);
          if (!(Number(l.qty) > 0)) problems.push(`${o.id}/${l.line_no}: qty ${l.qty}`);
        });
        if (o.currency !== 'CNY') problems.push(`${o.id}: currency ${o.currency}`);
        if (new Date(o.placed_at) > ANCHOR) problems.push(`${o.id}: placed after the anchor`);
      }
      expect(problems.slice(0, 20)).toEqual([]);
      expect(lines.length).toBeGreaterThanOrEqual(orders.length);
    });

    it('sells more per day at weekends than on weekdays', () => {
      const perDay = new Map<string, number>();
      for (const o of orders) perDay.set(localDate(o.placed_at), (perDay.get(localDate(o.placed_at)) ?? 0) + 1);
      // Leave out the 618 build-up, the partial last day and the sparse first weeks of the window.
      const days = [...perDay.entries()].filter(
        ([d]) => d >= '2024-03-01' && d < '2024-07-31' && !(d >= '2024-06-01' && d <= '2024-06-18'),
      );
      const avg = (xs: number[]) => xs.reduce((t, x) => t + x, 0) / xs.length;
      const dow = (d: string) => new Date(d + 'T00:00:00Z').getUTCDay();
      const weekend = avg(days.filter(([d]) => dow(d) === 0 || dow(d) === 6).map(([, n]) => n));
      const weekday = avg(days.filter(([d]) => dow(d) >= 1 && dow(d) <= 4).map(([, n]) => n));
      expect(weekend / weekday).toBeGreaterThan(1.15);
    });

    it('peaks on June 18 (618)', () => {
      const june = new Map<string, number>();
      for (const o of orders) {
        const d = localDate(o.placed_at);
        if (d.startsWith('2024-06-')) june.set(d, (june.get(d) ?? 0) + 1);
      }
      expect(june.size).toBe(30);
      const average = [...june.values()].reduce((t, n) => t + n, 0) / 30;
      const peak = june.get('2024-06-18')!;
      expect(peak / average).toBeGreaterThan(2);
      expect(Math.max(...june.values())).toBe(peak);
    });
  });
});

describe('demo retailer behind the dashboard API', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ demo: true });
  });
  afterAll(async () => s?.close());

  /**
   * The dashboard's figures straight from the orders, by the sales definitions (analytics/sales.ts):
   * net sales = what was paid for the goods of the sales placed in the range − refunds of returns made
   * in it; customers = distinct persons (One ID roots); aov = goods paid / orders.
   */
  async function direct(from: string, to: string, locationId?: string) {
    const start = new Date(`${from}T00:00:00+08:00`);
    const end = new Date(new Date(`${to}T00:00:00+08:00`).getTime() + 86400_000);
    const sale = sql`(SELECT * FROM orders x WHERE x.status NOT IN ('pending_payment', 'cancelled', 'expired')
      AND (${locationId ?? null}::text IS NULL OR x.location_id = ${locationId ?? null}::text))`;
    const rows = (
      await sql<{ channel: string; sales: string; orders: string; goods: string }>`
        SELECT channel, sum(net)::text AS sales, sum(n)::text AS orders, sum(goods)::text AS goods FROM (
          SELECT o.channel, l.amount AS net, 0 AS n, l.amount AS goods
          FROM ${sale} o JOIN order_lines l ON l.order_id = o.id WHERE o.placed_at >= ${start} AND o.placed_at < ${end}
          UNION ALL
          SELECT o.channel, 0, 1, 0 FROM ${sale} o WHERE o.placed_at >= ${start} AND o.placed_at < ${end}
          UNION ALL
          SELECT o.channel, -rl.amount, 0, 0
          FROM ${sale} o JOIN order_returns r ON r.order_id = o.id JOIN order_return_lines rl ON rl.return_id = r.id
          WHERE r.created_at >= ${start} AND r.created_at < ${end}
        ) x GROUP BY channel HAVING sum(n) <> 0 OR sum(net) <> 0 ORDER BY channel`.execute(s.santong.ctx.database.db)
    ).rows.map((r) => ({
      channel: r.channel,
      sales: Number(r.sales),
      orders: Number(r.orders),
      goods: Number(r.goods),
    }));
    const persons = (
      await sql<{ channel: string | null; customers: string }>`
        SELECT o.channel, count(DISTINCT coalesce(c.root_id, c.id, o.customer_id))::text AS customers
        FROM ${sale} o LEFT JOIN customers c ON c.id = o.customer_id
        WHERE o.placed_at >= ${start} AND o.placed_at < ${end} AND o.customer_id IS NOT NULL
        GROUP BY GROUPING SETS ((o.channel), ())`.execute(s.santong.ctx.database.db)
    ).rows;
    const customersOf = (channel: string | null) => Number(persons.find((p) => p.channel === channel)?.customers ?? 0);
    return {
      sales: rows.reduce((t, r) => t + r.sales, 0),
      orders: rows.reduce((t, r) => t + r.orders, 0),
      goods: rows.reduce((t, r) => t + r.goods, 0),
      customers: customersOf(null),
      byChannel: rows.map((r) => ({
        channel: r.channel,
        sales: r.sales,
        orders: r.orders,
        customers: customersOf(r.channel),
      })),
    };
  }

  function checkPeriod(p: any, d: Awaited<ReturnType<typeof direct>>) {
    expect({ sales: p.totals.sales, orders: p.totals.orders, customers: p.totals.customers }).toEqual({
      sales: d.sales,
      orders: d.orders,
      customers: d.customers,
    });
    expect(p.totals.average_order_value).toBe(d.orders ? Math.round(d.goods / d.orders) : 0);
    const byChannel = [...p.by_channel].sort((a: any, b: any) => a.channel.localeCompare(b.channel));
    expect(byChannel).toEqual(d.byChannel);
    // The channels add up to the totals (a customer who bought in two channels counts in both).
    expect(p.by_channel.reduce((t: number, c: any) => t + c.sales, 0)).toBe(p.totals.sales);
    expect(p.by_channel.reduce((t: number, c: any) => t + c.orders, 0)).toBe(p.totals.orders);
    expect(p.by_channel.reduce((t: number, c: any) => t + c.customers, 0)).toBeGreaterThanOrEqual(p.totals.customers);
  }

  it('seeds 1 DC, 12 stores and ~500 products, with consistent order amounts', async () => {
    const locations = (await s.api('GET', '/v1/locations')).body.items as { type: string }[];
    expect(locations.filter((l) => l.type === 'dc')).toHaveLength(1);
    expect(locations.filter((l) => l.type === 'store')).toHaveLength(12);
    const db = s.santong.ctx.database.db;
    const counts = (
      await sql<{
        products: string;
        categories: string;
        bad_price: string;
        orders: string;
        bad_total: string;
        bad_lines: string;
      }>`
        SELECT (SELECT count(*) FROM products)::text AS products,
               (SELECT count(DISTINCT category) FROM products)::text AS categories,
               (SELECT count(*) FROM products WHERE list_price <= 0)::text AS bad_price,
               (SELECT count(*) FROM orders)::text AS orders,
               (SELECT count(*) FROM orders WHERE total <> subtotal - discount_total + delivery_fee)::text AS bad_total,
               (SELECT count(*) FROM orders o WHERE o.subtotal - o.discount_total <>
                  (SELECT coalesce(sum(amount), 0) FROM order_lines l WHERE l.order_id = o.id))::text AS bad_lines`.execute(
        db,
      )
    ).rows[0];
    expect(Number(counts.products)).toBeGreaterThanOrEqual(450);
    expect(Number(counts.products)).toBeLessThanOrEqual(550);
    expect(Number(counts.categories)).toBe(6);
    expect(Number(counts.orders)).toBeGreaterThan(300);
    expect({ bad_price: counts.bad_price, bad_total: counts.bad_total, bad_lines: counts.bad_lines }).toEqual({
      bad_price: '0',
      bad_total: '0',
      bad_lines: '0',
    });
  });

  it("credits the stores' revenue share for the history's completed pickups and store deliveries", async () => {
    const db = s.santong.ctx.database.db;
    // Directly from the orders: completed online orders at a store (not the DC), 30 % of the margin
    // (a line without cost on its net), rounded half away from zero, per order.
    const direct = (
      await sql<{ location_id: string; orders: string; net: string }>`
        WITH per AS (
          SELECT o.id, o.location_id,
                 sum(CASE WHEN p.cost_price IS NULL THEN l.amount ELSE l.amount - p.cost_price * l.qty END)::bigint AS basis
          FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN products p ON p.sku = l.sku
          JOIN locations loc ON loc.id = o.location_id AND loc.type = 'store'
          WHERE o.status = 'completed' AND o.channel <> 'pos' AND o.fulfillment_type <> 'in_store'
          GROUP BY o.id, o.location_id)
        SELECT location_id, count(*)::text AS orders,
               sum(CASE WHEN basis < 0 THEN -((-basis * 3000 * 2 + 10000) / 20000) ELSE (basis * 3000 * 2 + 10000) / 20000 END)::text AS net
        FROM per GROUP BY location_id ORDER BY location_id`.execute(db)
    ).rows;
    const booked = (
      await sql<{ location_id: string; orders: string; net: string }>`
        SELECT location_id, count(DISTINCT order_id)::text AS orders, sum(amount)::text AS net
        FROM settlement_entries GROUP BY location_id ORDER BY location_id`.execute(db)
    ).rows;
    expect(direct.length).toBeGreaterThan(0);
    expect(booked).toEqual(direct);
  });

  it('shows the same figures as a direct sum over the orders table, and by_channel adds up', async () => {
    const r = await s.api('GET', '/v1/analytics/dashboard');
    expect(r.status).toBe(200);
    const dash = r.body;
    expect(dash).toMatchObject({ timezone: 'Asia/Shanghai', currency: 'CNY' });
    expect(dash.today.from).toBe(dash.today.to);
    expect(dash.last_30_days.to).toBe(dash.today.to);
    const span = (Date.parse(dash.last_30_days.to) - Date.parse(dash.last_30_days.from)) / 86400_000;
    expect(span).toBe(29);

    checkPeriod(dash.last_30_days, await direct(dash.last_30_days.from, dash.last_30_days.to));
    checkPeriod(dash.today, await direct(dash.today.from, dash.today.to));
    expect(dash.last_30_days.totals.orders).toBeGreaterThan(0);

    // The daily series covers the same 30 days and adds up to the same totals.
    const daily = dash.daily as { date: string; channel: string; sales: number; orders: number }[];
    expect(daily.every((d) => d.date >= dash.last_30_days.from && d.date <= dash.last_30_days.to)).toBe(true);
    expect(daily.reduce((t, d) => t + d.sales, 0)).toBe(dash.last_30_days.totals.sales);
    expect(daily.reduce((t, d) => t + d.orders, 0)).toBe(dash.last_30_days.totals.orders);
  });

  it('leaves its sales in the stock movements: opening count, weekly receipts and a sale per line add up to the stock on hand', async () => {
    const db = s.santong.ctx.database.db;
    const r = (
      await sql<{ off: string; sales: string; lines: string; unordered: string }>`
        SELECT
          (SELECT count(*) FROM stock st FULL JOIN (SELECT location_id, sku, sum(delta) AS n FROM stock_movements GROUP BY 1, 2) m
             USING (location_id, sku) WHERE coalesce(st.on_hand, 0) <> coalesce(m.n, 0))::text AS off,
          (SELECT count(*) FROM stock_movements WHERE reason = 'sale')::text AS sales,
          (SELECT count(*) FROM fulfillment_lines fl JOIN fulfillments f ON f.id = fl.fulfillment_id
             JOIN orders o ON o.id = f.order_id WHERE o.status <> 'cancelled')::text AS lines,
          (SELECT count(*) FROM (SELECT created_at < lag(created_at) OVER (ORDER BY id) AS back FROM stock_movements) x
             WHERE back)::text AS unordered`.execute(db)
    ).rows[0];
    // Every line sold is a sale movement; the movements sum to the stock; newest id = newest time.
    expect(r).toEqual({ off: '0', sales: r.lines, lines: r.lines, unordered: '0' });
    expect(Number(r.lines)).toBeGreaterThan(300);
    const page = await s.api('GET', '/v1/stock/movements?location_id=st-renmin&limit=20');
    expect(page.body.items.map((m: any) => m.reason)).toContain('sale');
    const sale = page.body.items.find((m: any) => m.reason === 'sale');
    expect(sale.ref).toMatch(/^ord_demo/);
    expect(sale.product_name).toEqual(expect.any(String));
  });

  it('holds stock in proportion to sales: the DC weeks of cover, a store days, not years', async () => {
    const db = s.santong.ctx.database.db;
    const pairs = (
      await sql<{ location_id: string; on_hand: number; units: string }>`
        SELECT st.location_id, st.on_hand, sum(fl.qty)::text AS units
        FROM stock st
        JOIN fulfillments f ON f.location_id = st.location_id
        JOIN fulfillment_lines fl ON fl.fulfillment_id = f.id AND fl.sku = st.sku
        JOIN orders o ON o.id = f.order_id
        WHERE o.status <> 'cancelled' AND o.paid_at > (SELECT max(placed_at) FROM orders) - interval '28 days'
          AND st.on_hand > 0
        GROUP BY st.location_id, st.sku, st.on_hand`.execute(db)
    ).rows.map((p) => ({ dc: p.location_id === 'dc-jiading', cover: (p.on_hand * 28) / Number(p.units) }));
    const dc = pairs.filter((p) => p.dc).map((p) => p.cover);
    const stores = pairs.filter((p) => !p.dc).map((p) => p.cover);
    expect(dc.length).toBeGreaterThan(10);
    expect(stores.length).toBeGreaterThan(10);
    // on hand = ⌈28-day sales × cover days / 28⌉: the DC 25–60 days, a store 5–20 (rounding up adds < 28 / units).
    for (const c of dc) expect(c >= 25 && c < 60 + 28).toBe(true);
    for (const c of stores) expect(c >= 5 && c < 20 + 28).toBe(true);
    const inventory = (await s.api('GET', '/v1/analytics/inventory?location_id=dc-jiading')).body;
    expect(inventory.units_28d).toBeGreaterThan(0);
  });

  it('routes its orders with the routing policy: real decisions, reasons and (recent orders) candidates', async () => {
    const db = s.santong.ctx.database.db;
    const rows = (
      await sql<{
        fulfillment_type: string;
        strategy: string;
        reason_code: string | null;
        n: string;
        explained: string;
      }>`
        SELECT fulfillment_type, routing->>'strategy' AS strategy, routing->>'reason_code' AS reason_code,
               count(*)::text AS n, count(*) FILTER (WHERE json_array_length((routing->'candidates')::json) > 0)::text AS explained
        FROM orders GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(db)
    ).rows;
    const total = rows.reduce((t, r) => t + Number(r.n), 0);
    const imported = rows.filter((r) => r.strategy === 'demo').reduce((t, r) => t + Number(r.n), 0);
    expect(imported / total).toBeLessThan(0.05);
    const codes = new Set(rows.filter((r) => r.strategy === 'default').map((r) => r.reason_code));
    for (const c of ['sold_at_till', 'picked_up_at', 'dc_standard_has_all', 'nearest_hour_store'])
      expect(codes).toContain(c);
    expect(rows.some((r) => r.fulfillment_type === 'delivery' && Number(r.explained) > 0)).toBe(true);
    // A recent delivery's explanation reads as the live one does: the chosen location can fulfil, others say why not.
    const recent = (
      await sql<{
        id: string;
      }>`SELECT id FROM orders WHERE fulfillment_type = 'delivery' AND routing->>'strategy' = 'default'
        AND json_array_length((routing->'candidates')::json) > 0 ORDER BY placed_at DESC LIMIT 1`.execute(db)
    ).rows[0];
    const o = (await s.api('GET', `/v1/orders/${recent.id}`)).body;
    const chosen = o.routing.candidates.find((c: any) => c.location_id === o.allocations[0].location_id);
    expect(chosen.can_fulfil).toBe(true);
    expect(o.routing.candidates.filter((c: any) => !c.can_fulfil).every((c: any) => c.why_not_code)).toBe(true);
  });

  it('gives its members a realistic mix of consents', async () => {
    const db = s.santong.ctx.database.db;
    const rows = (
      await sql<{ purpose: string; share: string }>`
        SELECT purpose, (count(*) FILTER (WHERE granted)::float / (SELECT count(*) FROM customers))::text AS share FROM (
          SELECT DISTINCT ON (customer_id, purpose) customer_id, purpose, granted FROM customer_consents
          ORDER BY customer_id, purpose, at DESC, id DESC) c GROUP BY purpose`.execute(db)
    ).rows;
    const share = Object.fromEntries(rows.map((r) => [r.purpose, Number(r.share)]));
    expect(share.marketing_sms).toBeGreaterThan(0.45);
    expect(share.marketing_sms).toBeLessThan(0.7);
    expect(share.marketing_wechat).toBeGreaterThan(0.28);
    expect(share.marketing_wechat).toBeLessThan(0.5);
    expect(share.marketing_email).toBeLessThan(0.2);
    expect(share.analytics).toBeGreaterThan(share.marketing_sms);
    const withdrawn = (
      await sql<{ n: string }>`SELECT count(*)::text AS n FROM customer_consents WHERE NOT granted`.execute(db)
    ).rows[0];
    expect(Number(withdrawn.n)).toBeGreaterThan(0);
  });

  it('has transfers in each state, the shipped one in transit at its store', async () => {
    const items = (await s.api('GET', '/v1/transfers')).body.items as {
      status: string;
      origin: string;
      to_location_id: string;
      lines: { sku: string; name: string | null; qty: number }[];
    }[];
    expect(new Set(items.map((t) => t.status))).toEqual(new Set(['requested', 'shipped', 'received']));
    expect(items.map((t) => t.origin)).toContain('rebalance');
    for (const t of items) for (const l of t.lines) expect(l.name).toBeTruthy();
    const shipped = items.find((t) => t.status === 'shipped')!;
    const stock = (await s.api('GET', `/v1/stock/${encodeURIComponent(shipped.lines[0].sku)}`)).body.locations.find(
      (l: { location_id: string }) => l.location_id === shipped.to_location_id,
    );
    expect(stock.in_transit).toBe(shipped.lines[0].qty);
  });

  it('filters by location the same way', async () => {
    const r = await s.api('GET', '/v1/analytics/dashboard?location_id=st-renmin');
    expect(r.status).toBe(200);
    const d = await direct(r.body.last_30_days.from, r.body.last_30_days.to, 'st-renmin');
    checkPeriod(r.body.last_30_days, d);
    const all = (await s.api('GET', '/v1/analytics/dashboard')).body;
    expect(r.body.last_30_days.totals.sales).toBeLessThan(all.last_30_days.totals.sales);
  });
});
