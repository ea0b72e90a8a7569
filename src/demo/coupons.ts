/**
 * The demo retailer's coupons: five templates (满99减20 online, 9折 capped, 10元 in store, free
 * delivery, a gift) and a history of coupons issued to customers, of which the ones used are
 * linked to the history's discounted orders (their discount is the redemption amount; order
 * amounts are not changed). Deterministic for a seed; streamed in batches of orders, so it scales
 * with the benchmark-sized retailer like the rest of the generator.
 */
import { sql } from 'kysely';
import type { Database } from '../platform/db/database';
import type { DemoProduct } from './catalog';
import { row } from './csv';
import { Rng } from './rng';
import { newCouponCode } from '../modules/loyalty/coupons/codes';
import '../modules/loyalty/coupons/tables';

const DAY_MS = 86400_000;
const ONLINE = ['app', 'mini_program', 'web', 'group_buy'];
const ALL = ['app', 'mini_program', 'web', 'pos', 'group_buy'];
const BATCH = 20_000;

export const COUPON_COLUMNS = ['code', 'template_id', 'customer_id', 'status', 'via', 'channel', 'issued_at', 'valid_from', 'valid_to', 'order_ref', 'redeemed_channel', 'redeemed_location_id', 'redeemed_amount', 'redeemed_at', 'updated_at'];
export const REDEMPTION_COLUMNS = ['code', 'template_id', 'order_ref', 'channel', 'location_id', 'amount', 'redeemed_at', 'restored_at'];

interface DemoTemplate {
  key: 'threshold' | 'percent' | 'store' | 'delivery' | 'gift';
  id: string;
  name: string;
  kind: 'amount_off' | 'percent_off' | 'threshold' | 'free_delivery' | 'gift';
  value: number;
  cap: number | null;
  min_spend: number;
  gift_sku: string | null;
  channels: string[];
  /** A window (from the history's start) or days after claim. */
  days: number | null;
  limit: number;
}

export interface CouponSeedResult {
  templates: number;
  coupons: number;
  redeemed: number;
}

function templatesFor(seed: number, products: DemoProduct[]): DemoTemplate[] {
  const gift = products.find((p) => p.category === 'snacks' && p.channels.length === ALL.length) ?? products[0];
  const id = (n: number) => `cpt_demo${seed}_${n}`;
  return [
    { key: 'threshold', id: id(1), name: '满99减20 线上专享', kind: 'threshold', value: 2000, cap: null, min_spend: 9900, gift_sku: null, channels: ONLINE, days: null, limit: 10 },
    { key: 'percent', id: id(2), name: '会员9折券 (最高减30元)', kind: 'percent_off', value: 10, cap: 3000, min_spend: 0, gift_sku: null, channels: ALL, days: 30, limit: 10 },
    { key: 'store', id: id(3), name: '门店10元券 满50可用', kind: 'amount_off', value: 1000, cap: null, min_spend: 5000, gift_sku: null, channels: ['pos'], days: null, limit: 10 },
    { key: 'delivery', id: id(4), name: '免运费券', kind: 'free_delivery', value: 0, cap: null, min_spend: 0, gift_sku: null, channels: ['app', 'mini_program', 'web'], days: 14, limit: 10 },
    { key: 'gift', id: id(5), name: `满88赠 ${gift.name}`, kind: 'gift', value: 0, cap: null, min_spend: 8800, gift_sku: gift.sku, channels: ALL, days: null, limit: 3 },
  ];
}

interface OrderRow {
  id: string;
  customer_id: string;
  channel: string;
  location_id: string | null;
  fulfillment_type: string;
  status: string;
  placed_at: Date;
  subtotal: string;
  discount_total: string;
}

export async function seedCoupons(database: Database, opts: { seed: number; anchor: Date; months: number; products: DemoProduct[] }): Promise<CouponSeedResult> {
  const db = database.db;
  const rng = new Rng((opts.seed * 7919) ^ 0xc0c0);
  const random = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rng.next() * 256));
  const templates = templatesFor(opts.seed, opts.products);
  const by = Object.fromEntries(templates.map((t) => [t.key, t])) as Record<DemoTemplate['key'], DemoTemplate>;
  const start = new Date(opts.anchor.getTime() - (opts.months * 31 + 14) * DAY_MS);
  const end = new Date(opts.anchor.getTime() + 45 * DAY_MS);
  await db
    .insertInto('coupon_templates')
    .values(
      templates.map((t) => ({
        id: t.id,
        name: t.name,
        description: null,
        kind: t.kind,
        value: t.value,
        cap: t.cap,
        min_spend: t.min_spend,
        gift_sku: t.gift_sku,
        channels: t.channels,
        skus: null,
        categories: null,
        locations: null,
        valid_from: t.days === null ? start : null,
        valid_to: t.days === null ? end : null,
        valid_days_after_claim: t.days,
        budget: null,
        per_customer_limit: t.limit,
        stackable: t.kind === 'free_delivery',
        restore_on_cancel: true,
        created_at: start,
        updated_at: start,
      })),
    )
    .execute();

  const held = new Map<string, number>(); // customer|template → coupons, to respect the per-customer limits
  const take = (customer: string, t: DemoTemplate) => {
    const k = `${customer}|${t.id}`;
    const n = held.get(k) ?? 0;
    if (n >= t.limit) return false;
    held.set(k, n + 1);
    return true;
  };
  /** The coupon this order would have used (or the customer was given around it). */
  const pick = (o: OrderRow): DemoTemplate[] => {
    const sub = Number(o.subtotal);
    if (o.channel === 'pos') return sub >= 5000 ? [by.store, by.percent, by.gift] : [by.percent];
    const opts2: DemoTemplate[] = [];
    if (sub >= 9900) opts2.push(rng.chance(0.12) ? by.gift : by.threshold);
    if (o.fulfillment_type === 'delivery' && o.channel !== 'group_buy' && sub < 9900) opts2.push(by.delivery);
    opts2.push(by.percent);
    return opts2;
  };
  const validity = (t: DemoTemplate, issued: Date) => (t.days === null ? { from: start, to: end } : { from: issued, to: new Date(issued.getTime() + t.days * DAY_MS) });

  const result: CouponSeedResult = { templates: templates.length, coupons: 0, redeemed: 0 };
  let after = '';
  for (;;) {
    const orders = (
      await sql<OrderRow>`SELECT id, customer_id, channel, location_id, fulfillment_type, status, placed_at, subtotal::text AS subtotal, discount_total::text AS discount_total
        FROM orders WHERE id LIKE ${`ord_demo${opts.seed}\\_%`} AND customer_id IS NOT NULL AND id > ${after} ORDER BY id LIMIT ${BATCH}`.execute(db)
    ).rows;
    if (orders.length === 0) break;
    after = orders[orders.length - 1].id;
    let coupons = '';
    let redemptions = '';
    for (const o of orders) {
      const placed = new Date(o.placed_at);
      // About a third of the history's discounted orders used one of these coupons (the rest were other promotions).
      const used = Number(o.discount_total) > 0 && rng.chance(0.35);
      if (!used && !rng.chance(0.07)) continue;
      const t = pick(o).find((c) => take(o.customer_id, c));
      if (!t) continue;
      const code = newCouponCode(random);
      const claimedIn = rng.chance(0.7) ? rng.pick(['app', 'mini_program', 'app', 'web']) : null;
      const via = claimedIn ? 'claim' : 'issue';
      if (used) {
        const issued = new Date(Math.max(start.getTime(), placed.getTime() - rng.int(1, Math.min(t.days ?? 20, 20) - 1) * DAY_MS - rng.int(0, 3_600_000)));
        const v = validity(t, issued);
        const amount = Number(o.discount_total);
        const cancelled = o.status === 'cancelled';
        const at = placed.toISOString();
        // A cancelled order gave its coupon back (restore_on_cancel): the redemption stays on record.
        const status = cancelled ? (v.to.getTime() <= opts.anchor.getTime() ? 'expired' : 'issued') : 'redeemed';
        coupons += cancelled
          ? row([code, t.id, o.customer_id, status, via, claimedIn, issued.toISOString(), v.from.toISOString(), v.to.toISOString(), null, null, null, null, null, at])
          : row([code, t.id, o.customer_id, status, via, claimedIn, issued.toISOString(), v.from.toISOString(), v.to.toISOString(), o.id, o.channel, o.location_id, amount, at, at]);
        redemptions += row([code, t.id, o.id, o.channel, o.channel === 'pos' ? o.location_id : null, amount, at, cancelled ? new Date(placed.getTime() + 3_600_000).toISOString() : null]);
        if (!cancelled) result.redeemed++;
      } else {
        // Given around this visit and not (yet) used: expired when its validity has ended.
        const issued = new Date(Math.max(start.getTime(), Math.min(opts.anchor.getTime() - 60_000, placed.getTime() + rng.int(-3, 10) * DAY_MS)));
        const v = validity(t, issued);
        const status = v.to.getTime() <= opts.anchor.getTime() ? 'expired' : 'issued';
        coupons += row([code, t.id, o.customer_id, status, via, claimedIn, issued.toISOString(), v.from.toISOString(), v.to.toISOString(), null, null, null, null, null, issued.toISOString()]);
      }
      result.coupons++;
    }
    if (coupons) await database.copyCsv('coupons', COUPON_COLUMNS, coupons, { trusted: true });
    if (redemptions) await database.copyCsv('coupon_redemptions', REDEMPTION_COLUMNS, redemptions, { trusted: true });
    await new Promise((r) => setImmediate(r));
  }
  await sql`UPDATE coupon_templates t SET issued = (SELECT count(*) FROM coupons c WHERE c.template_id = t.id) WHERE t.id LIKE ${`cpt_demo${opts.seed}\\_%`}`.execute(db);
  return result;
}
