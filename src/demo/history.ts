import type { KeyRing } from '../platform/crypto/keys';
import { seal } from '../platform/crypto/keys';
import { mask, STRONG_TYPES, type IdentifierType } from '../modules/customers/identifiers';
import { demoStock, type DemoProduct } from './catalog';
import { demoConsents } from './consents';
import { row } from './csv';
import { DEMO_LOCATIONS, type DemoLocation } from './retailer';
import { Rng, Sampler } from './rng';
import { DemoRouter, EXPLAINED_DAYS } from './routing';

const TZ_OFFSET_MS = 8 * 3600 * 1000; // Asia/Shanghai, no DST
const DAY_MS = 86400 * 1000;
const HOUR_WEIGHTS = [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 3, 5, 6, 7, 8, 10, 8, 6, 6, 7, 9, 11, 12, 12, 10, 6, 3];
const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '罗',
  '高',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '洋',
  '艳',
  '勇',
  '军',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '霞',
  '平',
  '刚',
  '桂英',
  '婷',
  '雪',
  '浩',
  '宇',
  '欣怡',
  '子涵',
  '梓萱',
  '一诺',
];

export const CUSTOMER_COLUMNS = ['id', 'created_at', 'first_channel', 'data_key', 'pii', 'traits'];
export const IDENTIFIER_COLUMNS = [
  'customer_id',
  'type',
  'value_hash',
  'value_enc',
  'masked',
  'strong',
  'first_seen',
  'last_seen',
  'verified_by',
];

/** How the demo's members proved each identifier: the app's login verified phones, WeChat its ids, the till scanned cards. */
const DEMO_VERIFIED_BY: Partial<Record<IdentifierType, string>> = {
  phone: 'otp',
  wechat_unionid: 'wechat_login',
  wechat_openid: 'wechat_login',
  member_card: 'member_card_scan',
};
export const ORDER_COLUMNS = [
  'id',
  'channel',
  'customer_id',
  'location_id',
  'fulfillment_type',
  'status',
  'currency',
  'subtotal',
  'discount_total',
  'delivery_fee',
  'total',
  'placed_at',
  'paid_at',
  'speed',
  'pickup_code',
  'routing',
];
export const FULFILMENT_COLUMNS = [
  'id',
  'order_id',
  'location_id',
  'type',
  'speed',
  'status',
  'eta',
  'created_at',
  'updated_at',
];
export const FULFILMENT_LINE_COLUMNS = ['fulfillment_id', 'sku', 'qty'];
export const LINE_COLUMNS = ['order_id', 'line_no', 'sku', 'qty', 'unit_price', 'discount', 'amount'];
export const EVENT_COLUMNS = [
  'event_id',
  'type',
  'occurred_at',
  'channel',
  'customer_id',
  'anonymous_id',
  'location_id',
  'properties',
  'received_at',
];

export interface HistoryPlan {
  seed: number;
  anchor: Date;
  months: number;
  products: DemoProduct[];
  /** Mean product-view events per customer (0 for none). */
  eventsPerCustomer: number;
}

/** One order of the history as generated, for the rows that follow from it (coupons, points). */
export interface HistoryOrder {
  id: string;
  channel: string;
  status: string;
  location_id: string;
  fulfillment_type: string;
  subtotal: number;
  discount: number;
  total: number;
  /** placed_at, in ms and as written */
  placed: number;
  placed_at: string;
  /** Cash paid for the goods (the lines' amounts: subtotal - discount). */
  goods: number;
}

/** A customer of a chunk with their orders in the order generated (by time). */
export interface HistoryCustomer {
  index: number;
  id: string;
  /** created_at, in ms */
  created: number;
  orders: HistoryOrder[];
}

export interface Chunk {
  customers: string;
  identifiers: string;
  orders: string;
  lines: string;
  events: string;
  /** Each member's marketing and data consents (CONSENT_COLUMNS). */
  consents: string;
  fulfilments: string;
  fulfilmentLines: string;
  /** Each fulfilment's steps so far (picked, ready, handed over, delivered, collected): store scorecards' timings. */
  fulfilmentEvents: string;
  /** The same customers and orders in memory, so later steps need not read them back. */
  people: HistoryCustomer[];
  counts: { customers: number; orders: number; lines: number; events: number };
}

/** Shared, precomputed distributions for one generation run. */
export class HistoryGenerator {
  private readonly days: number[] = []; // UTC ms of each local midnight in the window
  private readonly daySampler: Sampler;
  private readonly hourSampler = new Sampler(HOUR_WEIGHTS);
  private readonly todayHourSampler: Sampler;
  private readonly byCategory = new Map<string, DemoProduct[]>();
  private readonly categories: string[];
  private readonly stores = DEMO_LOCATIONS.filter((l) => l.type === 'store');
  private readonly storeSampler: Sampler;
  private readonly startMs: number;
  private readonly router: DemoRouter;
  private readonly dc = DEMO_LOCATIONS.find((l) => l.type === 'dc')!;

  constructor(
    private readonly plan: HistoryPlan,
    private readonly keys: KeyRing,
  ) {
    const anchorLocal = plan.anchor.getTime() + TZ_OFFSET_MS;
    const todayMidnight = Math.floor(anchorLocal / DAY_MS) * DAY_MS - TZ_OFFSET_MS;
    const start = new Date(todayMidnight + TZ_OFFSET_MS);
    start.setUTCMonth(start.getUTCMonth() - plan.months);
    this.startMs = start.getTime() - TZ_OFFSET_MS;
    const weights: number[] = [];
    for (let t = this.startMs; t <= todayMidnight; t += DAY_MS) {
      this.days.push(t);
      const local = new Date(t + TZ_OFFSET_MS);
      const dow = local.getUTCDay();
      const m = local.getUTCMonth() + 1;
      const d = local.getUTCDate();
      let w = dow === 0 || dow === 6 ? 1.35 : dow === 5 ? 1.15 : 1;
      if (m === 6 && d <= 18) w *= 1 + (2.2 * d) / 18; // 618 build-up to the peak day
      if (m === 6 && d === 18) w *= 1.6;
      if (m === 11 && d <= 11) w *= 1 + (2 * d) / 11; // Double 11
      w *= 1 + (0.15 * (t - this.startMs)) / (todayMidnight - this.startMs + 1); // gentle growth
      weights.push(w);
    }
    const hourNow = new Date(anchorLocal).getUTCHours();
    weights[weights.length - 1] *= (hourNow + 1) / 24;
    this.daySampler = new Sampler(weights);
    this.todayHourSampler = new Sampler(HOUR_WEIGHTS.slice(0, hourNow + 1));
    for (const p of plan.products) {
      const list = this.byCategory.get(p.category) ?? [];
      list.push(p);
      this.byCategory.set(p.category, list);
    }
    this.categories = [...this.byCategory.keys()];
    this.storeSampler = new Sampler(this.stores.map((_, i) => 1 + ((i * 7) % 5) * 0.3));
    this.router = new DemoRouter(demoStock(plan.seed, plan.products));
  }

  /**
   * Where an order goes and why, by the routing policy: the till's store, the pickup store, or for
   * a delivery the location the policy picks for the customer's address (an hour delivery the
   * policy cannot serve — night, nothing in range — goes as a standard parcel). Null when it finds
   * no single location (the order then keeps the generated one, marked as imported history).
   */
  private routeOrder(
    fulfilment: string,
    speed: string | null,
    home: DemoLocation,
    address: { lat: number; lng: number },
    lines: { sku: string; qty: number }[],
    placed: Date,
  ) {
    const explained = this.plan.anchor.getTime() - placed.getTime() < EXPLAINED_DAYS * DAY_MS;
    if (fulfilment !== 'delivery') {
      const r = this.router.route({ type: fulfilment as 'pickup' | 'in_store', location_id: home.id }, lines, placed);
      return r.ok ? { location_id: home.id, speed, routing: DemoRouter.stored(r, explained) } : null;
    }
    for (const s of speed === 'hour' ? (['hour', 'standard'] as const) : (['standard'] as const)) {
      const r = this.router.route({ type: 'delivery', ...address, speed: s }, lines, placed);
      if (r.ok && r.decision === 'single')
        return { location_id: r.allocations[0].location_id, speed: s, routing: DemoRouter.stored(r, explained) };
    }
    return null;
  }

  private randomTime(rng: Rng): Date {
    const di = this.daySampler.draw(rng);
    const isToday = di === this.days.length - 1;
    const hour = isToday ? this.todayHourSampler.draw(rng) : this.hourSampler.draw(rng);
    let t = this.days[di] + hour * 3600000 + rng.int(0, 3599999);
    if (t > this.plan.anchor.getTime()) t = this.plan.anchor.getTime() - rng.int(1000, 600000);
    return new Date(t);
  }

  /**
   * A third of repeat buyers stop coming: their purchases end after a random number of them, so the
   * demo has lapsed customers for RFM, lifecycle stages and churn risk (BG/NBD finds no dropout in
   * purchases spread evenly to the end). Drawn from the customer's own second stream, so the rest of
   * their history (identifiers, names, lines) is what it was.
   */
  private lapsed(i: number, times: Date[]): Date[] {
    if (times.length < 2) return times;
    const rng = new Rng((this.plan.seed * 7919) ^ (i * 40503));
    return rng.chance(0.35) ? times.slice(0, rng.int(1, times.length - 1)) : times;
  }

  customerId(i: number): string {
    return `cus_demo${this.plan.seed}_${String(i).padStart(7, '0')}`;
  }

  private identifier(customerId: string, dek: Buffer, type: IdentifierType, value: string, at: string): string {
    return row([
      customerId,
      type,
      this.keys.blindIndex(type, value),
      seal(dek, value),
      mask(type, value),
      STRONG_TYPES.has(type),
      at,
      at,
      DEMO_VERIFIED_BY[type] ?? 'self_asserted',
    ]);
  }

  /** Customers [from, to) with their identifiers, orders, lines and behaviour events. */
  chunk(from: number, to: number): Chunk {
    const { seed } = this.plan;
    const c: Chunk = {
      customers: '',
      identifiers: '',
      orders: '',
      lines: '',
      events: '',
      consents: '',
      fulfilments: '',
      fulfilmentLines: '',
      fulfilmentEvents: '',
      people: [],
      counts: { customers: 0, orders: 0, lines: 0, events: 0 },
    };
    for (let i = from; i < to; i++) {
      const rng = new Rng((seed * 1000003) ^ (i * 2654435761));
      const id = this.customerId(i);
      const home = this.stores[this.storeSampler.draw(rng)];
      const style = rng.weighted([0.4, 0.3, 0.3]); // 0 store shopper, 1 online shopper, 2 omnichannel
      const channelWeights =
        style === 0
          ? [0.08, 0.1, 0.02, 0.75, 0.05]
          : style === 1
            ? [0.4, 0.38, 0.1, 0.04, 0.08]
            : [0.25, 0.22, 0.05, 0.35, 0.13];
      const channels = ['app', 'mini_program', 'web', 'pos', 'group_buy'];
      const favourite = [rng.pick(this.categories), rng.pick(this.categories)];
      const segment = rng.weighted([0.3, 0.4, 0.22, 0.08]);
      // Means are per six months; a longer history (benchmarks: --months 12) brings more orders per customer.
      const perHistory = Math.max(1, this.plan.months / 6);
      const drawn = segment === 0 ? 1 : Math.max(1, rng.poisson([0, 4, 10, 25][segment] * perHistory));
      const times = this.lapsed(
        i,
        Array.from({ length: drawn }, () => this.randomTime(rng)).sort((a, b) => a.getTime() - b.getTime()),
      );
      const createdAt = new Date(Math.min(times[0].getTime() - rng.int(0, 40) * DAY_MS, times[0].getTime()));
      const firstChannel = channels[rng.weighted(channelWeights)];

      const dek = this.keys.newDataKey();
      const name = rng.pick(SURNAMES) + rng.pick(GIVEN);
      const birthday = `${rng.int(1960, 2004)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
      const traits = { city: '上海', gender: rng.chance(0.55) ? 'female' : 'male', home_store: home.id };
      c.customers += row([
        id,
        createdAt.toISOString(),
        firstChannel,
        dek.wrapped,
        seal(dek.plain, JSON.stringify({ name, birthday })),
        JSON.stringify(traits),
      ]);
      c.counts.customers++;
      const person: HistoryCustomer = { index: i, id, created: createdAt.getTime(), orders: [] };
      c.people.push(person);
      const at = createdAt.toISOString();
      const phone = `+861${[3, 5, 7, 8, 9][i % 5]}${String((i * 48271 + seed * 7) % 1000000000).padStart(9, '0')}`;
      const reach = { phone: rng.chance(0.92), wechat: false, email: false };
      if (reach.phone) c.identifiers += this.identifier(id, dek.plain, 'phone', phone, at);
      if (rng.chance(0.6))
        c.identifiers += this.identifier(id, dek.plain, 'member_card', `M${seed}${String(i).padStart(9, '0')}`, at);
      reach.wechat = rng.chance(0.5);
      if (reach.wechat)
        c.identifiers += this.identifier(
          id,
          dek.plain,
          'wechat_unionid',
          `oU${seed}x${((i * 2654435761) % 4294967296).toString(36)}${i.toString(36)}`,
          at,
        );
      if (rng.chance(0.5))
        c.identifiers += this.identifier(
          id,
          dek.plain,
          'wechat_openid',
          `oM${seed}x${((i * 40503) % 65536).toString(36)}${i.toString(36)}`,
          at,
        );
      if (rng.chance(0.4))
        c.identifiers += this.identifier(id, dek.plain, 'device_id', `dev-${seed}-${i.toString(16)}`, at);
      reach.email = rng.chance(0.15);
      if (reach.email) c.identifiers += this.identifier(id, dek.plain, 'email', `user${i}.${seed}@example.com`, at);
      // Consents and the delivery address from the customer's own streams: the rest of the history is unchanged.
      c.consents += demoConsents(
        new Rng((seed * 104729) ^ (i * 7477)),
        id,
        firstChannel,
        createdAt.getTime(),
        this.plan.anchor.getTime(),
        reach,
      );
      const place = new Rng((seed * 15485863) ^ (i * 9973));
      const address = { lat: home.lat + (place.next() - 0.5) * 0.04, lng: home.lng + (place.next() - 0.5) * 0.04 };

      for (let k = 0; k < times.length; k++) {
        const channel = channels[rng.weighted(channelWeights)];
        const orderId = `ord_demo${seed}_${String(i).padStart(7, '0')}_${k}`;
        const placed = times[k];
        let fulfilment: string;
        let locationId: string;
        // Order status and the fulfilment's final state; the last hours' online orders are still open.
        let status = 'completed';
        let fStatus: string;
        let speed: string | null = null;
        const recent = this.plan.anchor.getTime() - placed.getTime() < 3 * 3600_000;
        if (channel === 'pos') {
          fulfilment = 'in_store';
          locationId = home.id;
          fStatus = 'completed';
        } else if (channel === 'group_buy' || rng.chance(0.25)) {
          fulfilment = 'pickup';
          locationId = home.id;
          fStatus = recent ? rng.pick(['allocated', 'picked', 'ready_for_pickup']) : 'collected';
        } else {
          fulfilment = 'delivery';
          const local = home.local_delivery_km !== null && rng.chance(0.6);
          locationId = local ? home.id : 'dc-jiading';
          speed = local ? 'hour' : 'standard';
          fStatus = recent ? rng.pick(['allocated', 'picked', 'shipped']) : 'delivered';
        }
        if (fStatus === 'ready_for_pickup') status = 'ready_for_pickup';
        else if (fStatus === 'shipped') status = 'shipped';
        else if (fStatus === 'picked') status = 'in_fulfilment';
        else if (fStatus === 'allocated') status = 'paid';
        if (channel !== 'pos' && !recent && rng.chance(0.03)) {
          status = 'cancelled';
          fStatus = 'cancelled';
        }
        const pickupCode = fulfilment === 'pickup' ? String(rng.int(0, 999999)).padStart(6, '0') : null;
        const fulfilmentId = `ful_demo${seed}_${String(i).padStart(7, '0')}_${k}`;
        const nLines = 1 + rng.poisson(0.9);
        let subtotal = 0;
        let lines = '';
        const used = new Set<string>();
        const lineRows: [string, number, number, number][] = [];
        for (let l = 0; l < nLines; l++) {
          const cat = rng.chance(0.65) ? rng.pick(favourite) : rng.pick(this.categories);
          const p = rng.pick(this.byCategory.get(cat)!);
          if (used.has(p.sku) || !p.channels.includes(channel)) continue;
          used.add(p.sku);
          const qty = cat === 'fresh' || cat === 'snacks' ? rng.int(1, 4) : rng.chance(0.85) ? 1 : 2;
          // Customers order what the place can give them: the pickup store's shelf, a parcel from the DC's range.
          if (fulfilment === 'pickup' && this.router.unitsAt(home.id, p.sku) < qty) continue;
          if (speed === 'standard' && this.router.unitsAt(this.dc.id, p.sku) < qty) continue;
          lineRows.push([p.sku, qty, p.list_price, p.list_price * qty]);
          subtotal += p.list_price * qty;
        }
        if (lineRows.length === 0) continue;
        const routed = this.routeOrder(
          fulfilment,
          speed,
          home,
          address,
          lineRows.map(([sku, qty]) => ({ sku, qty })),
          placed,
        );
        if (routed) {
          locationId = routed.location_id;
          speed = routed.speed;
        }
        // The fulfilment's steps, drawn from their own stream so the rest of the history is unchanged.
        const steps = fulfilmentSteps(
          new Rng((seed * 7919) ^ (i * 40503) ^ (k * 69069)),
          fulfilment,
          speed,
          fStatus,
          placed,
        );
        // One in eight orders used a coupon: the discount is spread over lines in fen, remainder on the last.
        const discount = rng.chance(0.125) ? Math.floor((subtotal * rng.int(5, 15)) / 100) : 0;
        let left = discount;
        lineRows.forEach(([sku, qty, price, amount], li) => {
          const d = li === lineRows.length - 1 ? left : Math.floor((discount * amount) / subtotal);
          left -= d;
          lines += row([orderId, li + 1, sku, qty, price, d, amount - d]);
          c.fulfilmentLines += row([fulfilmentId, sku, qty]);
        });
        const deliveryFee = fulfilment === 'delivery' && subtotal - discount < 9900 ? 600 : 0;
        const at = placed.toISOString();
        const routing = routed?.routing ?? {
          decision: fulfilment === 'delivery' ? 'single' : fulfilment,
          reason: 'imported history',
          reason_code: 'imported_history',
          strategy: 'demo',
          candidates: [],
        };
        c.orders += row([
          orderId,
          channel,
          id,
          locationId,
          fulfilment,
          status,
          'CNY',
          subtotal,
          discount,
          deliveryFee,
          subtotal - discount + deliveryFee,
          at,
          status === 'cancelled' && !steps.paid ? null : at,
          speed,
          pickupCode,
          JSON.stringify(routing),
        ]);
        c.fulfilments += row([fulfilmentId, orderId, locationId, fulfilment, speed, fStatus, steps.eta, at, at]);
        for (const [type, when] of steps.events) c.fulfilmentEvents += row([fulfilmentId, type, when, 'demo']);
        c.lines += lines;
        person.orders.push({
          id: orderId,
          channel,
          status,
          location_id: locationId,
          fulfillment_type: fulfilment,
          subtotal,
          discount,
          total: subtotal - discount + deliveryFee,
          placed: placed.getTime(),
          placed_at: at,
          goods: subtotal - discount,
        });
        c.counts.orders++;
        c.counts.lines += lineRows.length;
      }

      if (this.plan.eventsPerCustomer > 0) {
        const onlineWeights = [channelWeights[0], channelWeights[1], channelWeights[2]];
        const nViews = rng.poisson(this.plan.eventsPerCustomer * (style === 0 ? 0.3 : 1.2));
        for (let v = 0; v < nViews; v++) {
          const t = this.randomTime(rng);
          if (t < createdAt) continue;
          const cat = rng.chance(0.7) ? rng.pick(favourite) : rng.pick(this.categories);
          const p = rng.pick(this.byCategory.get(cat)!);
          const ch = channels[rng.weighted(onlineWeights)];
          const ts = t.toISOString();
          c.events += row([
            `demo${seed}-${i}-v${v}`,
            'product_viewed',
            ts,
            ch,
            id,
            null,
            null,
            JSON.stringify({ sku: p.sku }),
            ts,
          ]);
          c.counts.events++;
          if (rng.chance(0.25)) {
            c.events += row([
              `demo${seed}-${i}-c${v}`,
              'added_to_cart',
              ts,
              ch,
              id,
              null,
              null,
              JSON.stringify({ sku: p.sku, qty: 1 }),
              ts,
            ]);
            c.counts.events++;
          }
        }
      }
    }
    return c;
  }
}

export const FULFILMENT_EVENT_COLUMNS = ['fulfillment_id', 'type', 'at', 'source'];

/**
 * The steps an online order's fulfilment went through up to its status now, with plausible times:
 * a pickup picked within minutes and ready within the hour (now and then a cancelled pickup was
 * a no-show: made ready, paid, never collected); an hour delivery promised within 60 minutes and
 * mostly on time; a parcel shipped the same day. `paid`: a cancelled order was paid first.
 */
function fulfilmentSteps(
  rng: Rng,
  type: string,
  speed: string | null,
  status: string,
  placed: Date,
): { eta: string | null; events: [string, string][]; paid: boolean } {
  const t = placed.getTime();
  const at = (minutes: number) => new Date(t + Math.round(minutes * 60_000)).toISOString();
  const events: [string, string][] = [];
  if (type === 'pickup') {
    const noShow = status === 'cancelled' && rng.chance(0.6);
    const picked = rng.int(3, 20);
    const ready = picked + rng.int(2, 40);
    if (status !== 'allocated') events.push(['picked', at(picked)]);
    if (status === 'ready_for_pickup' || status === 'collected' || noShow) events.push(['ready_for_pickup', at(ready)]);
    if (status === 'collected') events.push(['collected', at(ready + rng.int(20, 48 * 60))]);
    if (status === 'cancelled' && !noShow) events.length = 0;
    return { eta: null, events, paid: noShow };
  }
  if (type !== 'delivery' || status === 'cancelled') return { eta: null, events, paid: false };
  const hour = speed === 'hour';
  const picked = hour ? rng.int(3, 15) : rng.int(30, 360);
  const handed = picked + (hour ? rng.int(5, 25) : rng.int(60, 600));
  const delivered = handed + (hour ? rng.int(10, 40) : rng.int(12 * 60, 60 * 60));
  if (status !== 'allocated') events.push(['picked', at(picked)]);
  if (status === 'shipped' || status === 'delivered') events.push([hour ? 'out_for_delivery' : 'shipped', at(handed)]);
  if (status === 'delivered') events.push(['delivered', at(delivered)]);
  return { eta: hour ? at(60) : null, events, paid: false };
}
