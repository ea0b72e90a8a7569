/**
 * The demo retailer's coupons: five templates (满99减20 online, 9折 capped, 10元 in store, free
 * delivery, a gift) and a history of coupons issued to customers, of which the ones used are
 * linked to the history's discounted orders (their discount is the redemption amount; order
 * amounts are not changed). Built from each chunk of the history while it is still in memory (no
 * reading the orders back) and loaded with COPY, so it scales with the benchmark-sized retailer
 * like the rest of the generator. Deterministic for a seed (one random stream over the customers
 * in order, whatever the chunk size).
 */
import { sql } from 'kysely';
import type { Database } from '../platform/db/database';
import type { DemoProduct } from './catalog';
import { row } from './csv';
import type { HistoryCustomer, HistoryOrder } from './history';
import { Rng } from './rng';
import { newCouponCode } from '../modules/loyalty/coupons/codes';
import '../modules/loyalty/coupons/tables';

const DAY_MS = 86400_000;
const ONLINE = ['app', 'mini_program', 'web', 'group_buy'];
const ALL = ['app', 'mini_program', 'web', 'pos', 'group_buy'];
const TRUSTED = { trusted: true };

export const COUPON_COLUMNS = [
  'code',
  'template_id',
  'customer_id',
  'status',
  'via',
  'channel',
  'issued_at',
  'valid_from',
  'valid_to',
  'order_ref',
  'redeemed_channel',
  'redeemed_location_id',
  'redeemed_amount',
  'redeemed_at',
  'updated_at',
];
export const REDEMPTION_COLUMNS = [
  'code',
  'template_id',
  'order_ref',
  'channel',
  'location_id',
  'amount',
  'redeemed_at',
  'restored_at',
];

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
    {
      key: 'threshold',
      id: id(1),
      name: '满99减20 线上专享',
      kind: 'threshold',
      value: 2000,
      cap: null,
      min_spend: 9900,
      gift_sku: null,
      channels: ONLINE,
      days: null,
      limit: 10,
    },
    {
      key: 'percent',
      id: id(2),
      name: '会员9折券 (最高减30元)',
      kind: 'percent_off',
      value: 10,
      cap: 3000,
      min_spend: 0,
      gift_sku: null,
      channels: ALL,
      days: 30,
      limit: 10,
    },
    {
      key: 'store',
      id: id(3),
      name: '门店10元券 满50可用',
      kind: 'amount_off',
      value: 1000,
      cap: null,
      min_spend: 5000,
      gift_sku: null,
      channels: ['pos'],
      days: null,
      limit: 10,
    },
    {
      key: 'delivery',
      id: id(4),
      name: '免运费券',
      kind: 'free_delivery',
      value: 0,
      cap: null,
      min_spend: 0,
      gift_sku: null,
      channels: ['app', 'mini_program', 'web'],
      days: 14,
      limit: 10,
    },
    {
      key: 'gift',
      id: id(5),
      name: `满88赠 ${gift.name}`,
      kind: 'gift',
      value: 0,
      cap: null,
      min_spend: 8800,
      gift_sku: gift.sku,
      channels: ALL,
      days: null,
      limit: 3,
    },
  ];
}

/** CSV rows for COPY. */
export interface CouponRows {
  coupons: string;
  redemptions: string;
}

/** The coupons of the demo history, a chunk of customers at a time, in customer order. */
export class DemoCoupons {
  readonly templates: DemoTemplate[];
  readonly result: CouponSeedResult;
  private readonly rng: Rng;
  private readonly by: Record<DemoTemplate['key'], DemoTemplate>;
  private readonly start: Date;
  private readonly end: Date;
  private readonly anchor: number;
  private readonly issued = new Map<string, number>();

  constructor(opts: { seed: number; anchor: Date; months: number; products: DemoProduct[] }) {
    this.rng = new Rng((opts.seed * 7919) ^ 0xc0c0);
    this.templates = templatesFor(opts.seed, opts.products);
    this.by = Object.fromEntries(this.templates.map((t) => [t.key, t])) as Record<DemoTemplate['key'], DemoTemplate>;
    this.start = new Date(opts.anchor.getTime() - (opts.months * 31 + 14) * DAY_MS);
    this.end = new Date(opts.anchor.getTime() + 45 * DAY_MS);
    this.anchor = opts.anchor.getTime();
    this.result = { templates: this.templates.length, coupons: 0, redeemed: 0 };
  }

  /** The five templates (before any coupon of them is loaded). */
  async createTemplates(database: Database): Promise<void> {
    const { start, end } = this;
    await database.db
      .insertInto('coupon_templates')
      .values(
        this.templates.map((t) => ({
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
  }

  /** The coupons issued to these customers (the next chunk) and the redemptions of the used ones. */
  rows(people: HistoryCustomer[]): CouponRows {
    const { rng, by, start, end, anchor, result } = this;
    const random = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rng.next() * 256));
    const validity = (t: DemoTemplate, issued: Date) =>
      t.days === null ? { from: start, to: end } : { from: issued, to: new Date(issued.getTime() + t.days * DAY_MS) };
    /** The coupon this order would have used (or the customer was given around it). */
    const pick = (o: HistoryOrder): DemoTemplate[] => {
      const sub = o.subtotal;
      if (o.channel === 'pos') return sub >= 5000 ? [by.store, by.percent, by.gift] : [by.percent];
      const opts: DemoTemplate[] = [];
      if (sub >= 9900) opts.push(rng.chance(0.12) ? by.gift : by.threshold);
      if (o.fulfillment_type === 'delivery' && o.channel !== 'group_buy' && sub < 9900) opts.push(by.delivery);
      opts.push(by.percent);
      return opts;
    };
    const out: CouponRows = { coupons: '', redemptions: '' };
    for (const person of people) {
      const held = new Map<string, number>(); // template → this customer's coupons, to respect the per-customer limits
      const take = (t: DemoTemplate) => {
        const n = held.get(t.id) ?? 0;
        if (n >= t.limit) return false;
        held.set(t.id, n + 1);
        return true;
      };
      // In the order of the order ids (as the rows were first read back from the database), not by time.
      const orders = [...person.orders].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const o of orders) {
        const placed = new Date(o.placed);
        // About a third of the history's discounted orders used one of these coupons (the rest were other promotions).
        const used = o.discount > 0 && rng.chance(0.35);
        if (!used && !rng.chance(0.07)) continue;
        const t = pick(o).find(take);
        if (!t) continue;
        const code = newCouponCode(random);
        const claimedIn = rng.chance(0.7) ? rng.pick(['app', 'mini_program', 'app', 'web']) : null;
        const via = claimedIn ? 'claim' : 'issue';
        if (used) {
          const issued = new Date(
            Math.max(
              start.getTime(),
              placed.getTime() - rng.int(1, Math.min(t.days ?? 20, 20) - 1) * DAY_MS - rng.int(0, 3_600_000),
            ),
          );
          const v = validity(t, issued);
          const amount = o.discount;
          const cancelled = o.status === 'cancelled';
          const at = placed.toISOString();
          // A cancelled order gave its coupon back (restore_on_cancel): the redemption stays on record.
          const status = cancelled ? (v.to.getTime() <= anchor ? 'expired' : 'issued') : 'redeemed';
          out.coupons += cancelled
            ? row([
                code,
                t.id,
                person.id,
                status,
                via,
                claimedIn,
                issued.toISOString(),
                v.from.toISOString(),
                v.to.toISOString(),
                null,
                null,
                null,
                null,
                null,
                at,
              ])
            : row([
                code,
                t.id,
                person.id,
                status,
                via,
                claimedIn,
                issued.toISOString(),
                v.from.toISOString(),
                v.to.toISOString(),
                o.id,
                o.channel,
                o.location_id,
                amount,
                at,
                at,
              ]);
          out.redemptions += row([
            code,
            t.id,
            o.id,
            o.channel,
            o.channel === 'pos' ? o.location_id : null,
            amount,
            at,
            cancelled ? new Date(placed.getTime() + 3_600_000).toISOString() : null,
          ]);
          if (!cancelled) result.redeemed++;
        } else {
          // Given around this visit and not (yet) used: expired when its validity has ended.
          const issued = new Date(
            Math.max(start.getTime(), Math.min(anchor - 60_000, placed.getTime() + rng.int(-3, 10) * DAY_MS)),
          );
          const v = validity(t, issued);
          const status = v.to.getTime() <= anchor ? 'expired' : 'issued';
          out.coupons += row([
            code,
            t.id,
            person.id,
            status,
            via,
            claimedIn,
            issued.toISOString(),
            v.from.toISOString(),
            v.to.toISOString(),
            null,
            null,
            null,
            null,
            null,
            issued.toISOString(),
          ]);
        }
        this.issued.set(t.id, (this.issued.get(t.id) ?? 0) + 1);
        result.coupons++;
      }
    }
    return out;
  }

  /** Builds the next chunk's rows and loads them. */
  async load(database: Database, people: HistoryCustomer[]): Promise<void> {
    const out = this.rows(people);
    if (out.coupons) await database.copyCsv('coupons', COUPON_COLUMNS, out.coupons, TRUSTED);
    if (out.redemptions) await database.copyCsv('coupon_redemptions', REDEMPTION_COLUMNS, out.redemptions, TRUSTED);
  }

  /** After the last chunk: the templates' issued counters. */
  async finish(database: Database): Promise<CouponSeedResult> {
    for (const t of this.templates) {
      await sql`UPDATE coupon_templates SET issued = ${this.issued.get(t.id) ?? 0} WHERE id = ${t.id}`.execute(
        database.db,
      );
    }
    return this.result;
  }
}
