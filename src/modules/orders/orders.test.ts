import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { delivery, HOME, must, setupGoods, stockAt } from '../../../test/fixtures/goods';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, {
    dc1: { TV: 10, CHIPS: 100 },
    near: { MILK: 5, CHIPS: 3 },
    mid: { MILK: 20, TV: 2, CHIPS: 10 },
    far: { MILK: 50, TV: 1 },
  });
});
afterAll(async () => s?.close());

describe('routing', () => {
  it('sends an hour delivery to the nearest open store that covers the address and has every line', async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 2 }],
      fulfillment: delivery('hour'),
    });
    expect(o.status).toBe('pending_payment');
    expect(o.allocations).toHaveLength(1);
    expect(o.allocations[0].location_id).toBe('near');
    expect(o.routing.decision).toBe('single');
    expect(o.routing.reason).toMatch(/nearest open store/);
    expect(o.reserved_until).toBeDefined();
    const far = o.routing.candidates.find((c: { location_id: string }) => c.location_id === 'far');
    expect(far.can_fulfil).toBe(false);
    expect(far.why_not).toMatch(/out of delivery range/);
    expect((await stockAt(s, 'MILK', 'near')).reserved).toBe(2);
  });

  it('skips a nearer store that lacks a line, and says why', async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [
        { sku: 'MILK', qty: 1 },
        { sku: 'TV', qty: 1 },
      ],
      fulfillment: delivery('hour'),
    });
    expect(o.allocations[0].location_id).toBe('mid');
    const near = o.routing.candidates.find((c: { location_id: string }) => c.location_id === 'near');
    expect(near.why_not).toMatch(/insufficient stock of TV/);
  });

  it('prefers the DC for a standard parcel', async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'web',
      lines: [{ sku: 'TV', qty: 1 }],
      fulfillment: delivery('standard'),
    });
    expect(o.allocations.map((a: { location_id: string }) => a.location_id)).toEqual(['dc1']);
    expect(o.totals.delivery_fee).toBe(0);
  });

  it('splits across the fewest locations only when no single one can serve', async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'web',
      lines: [
        { sku: 'TV', qty: 1 },
        { sku: 'MILK', qty: 3 },
      ],
      fulfillment: delivery('standard'),
    });
    expect(o.routing.decision).toBe('single');
    await must(s, 'PUT', '/v1/stock/near/TV', { on_hand: 5 });
    const dc = (await stockAt(s, 'TV', 'dc1')).online_available;
    const split = await must(s, 'POST', '/v1/orders', {
      channel: 'web',
      lines: [{ sku: 'TV', qty: dc + 1 }],
      fulfillment: delivery('standard'),
    });
    expect(split.routing.decision).toBe('split');
    expect(split.allocations.map((a: { location_id: string }) => a.location_id)).toEqual(['dc1', 'near']);
    expect(split.allocations.map((a: { lines: { qty: number }[] }) => a.lines[0].qty)).toEqual([dc, 1]);
    expect(split.routing.reason).toMatch(/split across 2 locations/);
  });

  it('answers 409 insufficient_stock naming the line, with alternatives', async () => {
    const r = await s.api('POST', '/v1/orders', {
      channel: 'app',
      lines: [
        { sku: 'CHIPS', qty: 1 },
        { sku: 'TV', qty: 5 },
      ],
      fulfillment: delivery('hour'),
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('insufficient_stock');
    expect(r.body.error.field).toBe('lines[1]');
    expect(r.body.error.alternatives.speeds.length).toBeGreaterThan(0);
    expect(r.body.error.alternatives.speeds).not.toContain('hour');
    const p = await s.api('POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 10 }],
      fulfillment: { type: 'pickup', location_id: 'near' },
    });
    expect(p.status).toBe(409);
    expect(p.body.error.field).toBe('lines[0]');
    expect(p.body.error.alternatives.nearby_stores.map((a: { location_id: string }) => a.location_id)).toContain('mid');
    // Why, in a code the console can word: the store lacks the units.
    expect(p.body.error.routing.reason_code).toBe('missing_stock');
    expect(p.body.error.routing.candidates[0]).toMatchObject({
      location_id: 'near',
      can_fulfil: false,
      why_not_code: 'missing_stock',
    });
  });

  it('refuses an unknown coupon and points without a customer, naming the field', async () => {
    const c = await s.api('POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: delivery('hour'),
      coupon_codes: ['X'],
    });
    expect(c.status).toBe(422);
    expect(c.body.error.field).toBe('coupon_codes[0]');
    const p = await s.api('POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: delivery('hour'),
      points: 100,
    });
    expect(p.status).toBe(422);
    expect(p.body.error.field).toBe('points');
  });

  it('rejects unknown SKUs and locations with the field named', async () => {
    const r = await s.api('POST', '/v1/orders', {
      channel: 'app',
      lines: [
        { sku: 'MILK', qty: 1 },
        { sku: 'NOPE', qty: 1 },
      ],
      fulfillment: delivery('hour'),
    });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('lines[1].sku');
    const l = await s.api('POST', '/v1/orders', {
      channel: 'pos',
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'in_store', location_id: 'mars' },
    });
    expect(l.status).toBe(422);
    expect(l.body.error.field).toBe('fulfillment.location_id');
  });

  it('finds nearby stores with stock', async () => {
    const r = await must(s, 'GET', `/v1/locations/nearby?lat=${HOME.lat}&lng=${HOME.lng}&radius_km=5&sku=MILK&qty=10`);
    expect(r.items.map((i: { location_id: string }) => i.location_id)).toEqual(['mid']);
    const all = await must(s, 'GET', `/v1/locations/nearby?lat=${HOME.lat}&lng=${HOME.lng}&radius_km=50`);
    expect(all.items.map((i: { location_id: string }) => i.location_id)).toEqual(['near', 'mid', 'far']);
    expect(all.items[0].distance_km).toBeLessThan(all.items[1].distance_km);
  });
});

describe('order lifecycle', () => {
  it('pays, picks, readies and hands over a pickup order by code; staff act only at their store', async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'mini_program',
      customer: { type: 'phone', value: '13800138000' },
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'pickup', location_id: 'mid' },
    });
    expect(o.pickup_code).toMatch(/^\d{6}$/);
    expect(o.customer_id).toMatch(/^cus_/);
    const before = await stockAt(s, 'MILK', 'mid');
    const paid = await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: 'wx-1' });
    expect(paid.status).toBe('paid');
    const after = await stockAt(s, 'MILK', 'mid');
    expect(after.on_hand).toBe(before.on_hand - 1);
    expect(after.reserved).toBe(before.reserved - 1);
    const f = paid.allocations[0].fulfillment_id;
    const bad = await s.api('POST', `/v1/fulfillments/${f}/events`, { type: 'delivered' });
    expect(bad.status).toBe(409);
    expect(bad.body.error.code).toBe('invalid_transition');
    const otherStaff = await s.keyFor('store_staff', { location_id: 'near' });
    expect((await s.api('POST', `/v1/fulfillments/${f}/events`, { type: 'picked' }, { key: otherStaff })).status).toBe(
      403,
    );
    const staff = await s.keyFor('store_staff', { location_id: 'mid' });
    expect((await s.api('POST', `/v1/fulfillments/${f}/events`, { type: 'picked' }, { key: staff })).status).toBe(200);
    expect(
      (await s.api('POST', `/v1/fulfillments/${f}/events`, { type: 'ready_for_pickup' }, { key: staff })).status,
    ).toBe(200);
    expect((await must(s, 'GET', `/v1/orders/${o.id}`)).status).toBe('ready_for_pickup');
    const wrong = await s.api(
      'POST',
      `/v1/fulfillments/${f}/collect`,
      { pickup_code: o.pickup_code === '000000' ? '111111' : '000000' },
      { key: staff },
    );
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.field).toBe('pickup_code');
    expect(
      (await s.api('POST', `/v1/fulfillments/${f}/collect`, { pickup_code: o.pickup_code }, { key: otherStaff }))
        .status,
    ).toBe(403);
    const ok = await s.api('POST', `/v1/fulfillments/${f}/collect`, { pickup_code: o.pickup_code }, { key: staff });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('collected');
    expect(ok.body.events.map((e: { type: string }) => e.type)).toEqual(['picked', 'ready_for_pickup', 'collected']);
    expect((await must(s, 'GET', `/v1/orders/${o.id}`)).status).toBe('completed');
  });

  it('never blocks the till: an in-store sale beyond stock drives on hand negative and raises stock.discrepancy', async () => {
    const staff = await s.keyFor('store_staff', { location_id: 'near' });
    await must(s, 'PUT', '/v1/stock/near/TV', { on_hand: 0 });
    const r = await s.api(
      'POST',
      '/v1/orders',
      { channel: 'pos', lines: [{ sku: 'TV', qty: 1 }], fulfillment: { type: 'in_store', location_id: 'near' } },
      { key: staff },
    );
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('completed');
    expect((await stockAt(s, 'TV', 'near')).on_hand).toBe(-1);
    const ev = await s.santong.ctx.database.db
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('type', '=', 'stock.discrepancy')
      .execute();
    expect(ev.map((e) => (e.payload as { sku: string }).sku)).toContain('TV');
    const elsewhere = await s.api(
      'POST',
      '/v1/orders',
      { channel: 'pos', lines: [{ sku: 'TV', qty: 1 }], fulfillment: { type: 'in_store', location_id: 'mid' } },
      { key: staff },
    );
    expect(elsewhere.status).toBe(403);
  });

  it('expires unpaid orders and releases their stock', async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'CHIPS', qty: 2 }],
      fulfillment: delivery('hour'),
    });
    const loc = o.allocations[0].location_id;
    const reserved = (await stockAt(s, 'CHIPS', loc)).reserved;
    const { expireDue } = await import('./lifecycle');
    expect(await expireDue(s.santong.ctx, new Date(Date.now() + 16 * 60_000))).toBeGreaterThanOrEqual(1);
    expect((await stockAt(s, 'CHIPS', loc)).reserved).toBe(reserved - 2);
    expect((await must(s, 'GET', `/v1/orders/${o.id}`)).status).toBe('expired');
    const pay = await s.api('POST', `/v1/orders/${o.id}/pay`, { payment_ref: 'late' });
    expect(pay.status).toBe(409);
  });

  it('cancels: unpaid releases the reservation, paid puts the stock back', async () => {
    const a = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'pickup', location_id: 'far' },
    });
    const before = await stockAt(s, 'MILK', 'far');
    await must(s, 'POST', `/v1/orders/${a.id}/cancel`, { reason: 'changed mind' });
    expect((await stockAt(s, 'MILK', 'far')).reserved).toBe(before.reserved - 1);
    const b = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 2 }],
      fulfillment: { type: 'pickup', location_id: 'far' },
    });
    await must(s, 'POST', `/v1/orders/${b.id}/pay`, { payment_ref: 'p2' });
    const paid = await stockAt(s, 'MILK', 'far');
    const c = await must(s, 'POST', `/v1/orders/${b.id}/cancel`, {});
    expect(c.status).toBe('cancelled');
    expect(c.totals.refunded).toBe(c.totals.total);
    expect((await stockAt(s, 'MILK', 'far')).on_hand).toBe(paid.on_hand + 2);
    expect((await s.api('POST', `/v1/orders/${b.id}/cancel`, {})).status).toBe(409);
  });

  it('returns restock at the receiving store, refund exactly, and never exceed what was bought', async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      lines: [{ sku: 'CHIPS', qty: 3 }],
      fulfillment: { type: 'in_store', location_id: 'mid' },
    });
    const before = await stockAt(s, 'CHIPS', 'near');
    const r1 = await must(s, 'POST', `/v1/orders/${o.id}/returns`, {
      lines: [{ sku: 'CHIPS', qty: 1 }],
      location_id: 'near',
      reason: 'no_reason',
    });
    expect(r1.refund_amount).toBe(999);
    expect((await stockAt(s, 'CHIPS', 'near')).on_hand).toBe(before.on_hand + 1);
    const tooMany = await s.api('POST', `/v1/orders/${o.id}/returns`, {
      lines: [{ sku: 'CHIPS', qty: 3 }],
      location_id: 'near',
      reason: 'no_reason',
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.field).toBe('lines[0].qty');
    const r2 = await must(s, 'POST', `/v1/orders/${o.id}/returns`, {
      lines: [{ sku: 'CHIPS', qty: 2 }],
      location_id: 'near',
      reason: 'no_reason',
    });
    expect(r1.refund_amount + r2.refund_amount).toBe(o.totals.subtotal);
    expect((await must(s, 'GET', `/v1/orders/${o.id}`)).totals.refunded).toBe(o.totals.subtotal);
    const events = await s.santong.ctx.database.db
      .selectFrom('outbox')
      .select('type')
      .where('aggregate_id', '=', o.id)
      .execute();
    expect(events.filter((e) => e.type === 'order.returned')).toHaveLength(2);
  });

  it('places an order once for a repeated Idempotency-Key', async () => {
    const body = {
      channel: 'app',
      lines: [{ sku: 'CHIPS', qty: 1 }],
      fulfillment: { type: 'pickup', location_id: 'mid' },
    };
    const headers = { 'idempotency-key': 'order-once-1' };
    const a = await s.api('POST', '/v1/orders', body, { headers });
    const b = await s.api('POST', '/v1/orders', body, { headers });
    expect(a.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    const n = await s.santong.ctx.database.db.selectFrom('orders').select('id').where('id', '=', a.body.id).execute();
    expect(n).toHaveLength(1);
  });

  it('lets an integration key place orders only for its channel', async () => {
    const app = await s.keyFor('integration', { channel: 'app' });
    const r = await s.api(
      'POST',
      '/v1/orders',
      { channel: 'pos', lines: [{ sku: 'MILK', qty: 1 }], fulfillment: { type: 'in_store', location_id: 'mid' } },
      { key: app },
    );
    expect(r.status).toBe(403);
    const marketer = await s.keyFor('marketer');
    expect(
      (
        await s.api(
          'POST',
          '/v1/orders',
          { channel: 'app', lines: [{ sku: 'MILK', qty: 1 }], fulfillment: delivery('hour') },
          { key: marketer },
        )
      ).status,
    ).toBe(403);
  });
});

describe('catalogue and stock', () => {
  it('publishes price.changed when a list price changes, and keeps one price in every channel', async () => {
    await must(s, 'PUT', '/v1/products/CHIPS', { name: 'Chips', category: 'snacks', list_price: 1099 });
    const ev = await s.santong.ctx.database.db
      .selectFrom('outbox')
      .select('payload')
      .where('type', '=', 'price.changed')
      .where('aggregate_id', '=', 'CHIPS')
      .execute();
    expect(ev.at(-1)?.payload).toMatchObject({ sku: 'CHIPS', old_price: 999, new_price: 1099 });
    const prices = new Set<number>();
    for (const channel of ['app', 'mini_program', 'web', 'group_buy']) {
      const o = await must(s, 'POST', '/v1/orders', {
        channel,
        lines: [{ sku: 'CHIPS', qty: 1 }],
        fulfillment: { type: 'pickup', location_id: 'mid' },
      });
      prices.add(o.lines[0].unit_price);
      await must(s, 'POST', `/v1/orders/${o.id}/cancel`, {});
    }
    expect([...prices]).toEqual([1099]);
  });

  it('records movements and counts; on hand equals the sum of movements', async () => {
    await must(s, 'POST', '/v1/stock/movements', {
      location_id: 'far',
      sku: 'CHIPS',
      delta: 12,
      reason: 'receipt',
      ref: 'PO-1',
    });
    await must(s, 'POST', '/v1/stock/movements', { location_id: 'far', sku: 'CHIPS', delta: -2, reason: 'damage' });
    const lvl = await must(s, 'PUT', '/v1/stock/far/CHIPS', { on_hand: 7, safety_stock: 2 });
    expect(lvl).toMatchObject({ on_hand: 7, safety_stock: 2, online_available: 5 });
    const moves = await must(s, 'GET', '/v1/stock/movements?location_id=far&sku=CHIPS');
    expect(moves.items.reduce((t: number, m: { delta: number }) => t + m.delta, 0)).toBe(7);
    expect(
      (await s.api('POST', '/v1/stock/movements', { location_id: 'far', sku: 'CHIPS', delta: 0, reason: 'receipt' }))
        .status,
    ).toBe(422);
  });
});
