/**
 * The demo retailer's loyalty: a points ledger for the history's orders (earned at each paid
 * order with the tier multiplier of the time, some spent on later orders first-expiring first,
 * opening balances carried over from a previous loyalty system, some of which have expired or
 * expire soon), the tiers the 12-month spend reaches, invite codes and referrals rewarded on the
 * referee's first order. Deterministic for a seed; streamed in batches of customers with COPY.
 * The rows keep the ledger's invariant: per person, sum of entries = points left in buckets >= 0.
 */
import { sql } from 'kysely';
import type { Database } from '../platform/db/database';
import { expiryOf } from '../modules/loyalty/points/expiry-date';
import { DEFAULT_RULES } from '../modules/loyalty/points/rules';
import { DEFAULT_TIERS } from '../modules/loyalty/tiers/rules';
import { row } from './csv';
import { Rng } from './rng';
import '../modules/loyalty/points/tables';

const DAY_MS = 86400_000;
const YEAR_MS = 365 * DAY_MS;
const BATCH = 2000;
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_SPACE = 31 ** 8;

const ENTRY_COLUMNS = ['id', 'customer_id', 'kind', 'points', 'source', 'order_ref', 'event_ref', 'reverses', 'unrecovered', 'reason', 'idempotency_key', 'created_at'];
const BUCKET_COLUMNS = ['id', 'customer_id', 'points', 'remaining', 'expires_at', 'created_at'];
const MOVE_COLUMNS = ['entry_id', 'bucket_id', 'points'];
const TIER_COLUMNS = ['customer_id', 'tier', 'since', 'updated_at'];
const REFERRAL_COLUMNS = ['referee_id', 'referrer_id', 'code', 'bound_at', 'order_ref', 'rewarded_at', 'reward'];

export interface LoyaltySeedResult {
  entries: number;
  tiers: Record<string, number>;
  referrals: number;
}

/** A unique, readable invite code per customer index (a bijection of the index onto 31^8 codes). */
function inviteCodeOf(seed: number, i: number): string {
  let x = (i * 2_147_483_647 + seed * 7_368_787) % CODE_SPACE;
  let s = '';
  for (let k = 0; k < 8; k++) {
    s = CODE_ALPHABET[x % 31] + s;
    x = Math.floor(x / 31);
  }
  return s;
}

interface Bucket {
  id: number;
  points: number;
  remaining: number;
  expires: number;
  created: number;
}

interface DemoOrder {
  id: string;
  channel: string;
  status: string;
  total: number;
  placed: Date;
  /** Cash paid for the goods (the lines' amounts). */
  goods: number;
}

export async function seedLoyalty(database: Database, opts: { seed: number; anchor: Date; timezone?: string }): Promise<LoyaltySeedResult> {
  const db = database.db;
  const tz = opts.timezone ?? process.env.SANTONG_TIMEZONE ?? 'Asia/Shanghai';
  const rules = DEFAULT_RULES;
  const tiers = DEFAULT_TIERS.tiers;
  const anchor = opts.anchor.getTime();
  const expiryCache = new Map<number, number>();
  const expiry = (t: number) => {
    const h = Math.floor(t / 3_600_000);
    let e = expiryCache.get(h);
    if (e === undefined) expiryCache.set(h, (e = expiryOf(new Date(t), rules.expiry_months, tz).getTime()));
    return e;
  };
  let nextId = Number((await sql<{ n: string }>`SELECT coalesce(max(id), 0)::text AS n FROM points_entries`.execute(db)).rows[0].n) + 1;
  const result: LoyaltySeedResult = { entries: 0, tiers: {}, referrals: 0 };
  const prefix = `cus_demo${opts.seed}\\_%`;
  let after = '';
  for (;;) {
    const customers = (await sql<{ id: string; created_at: Date }>`
      SELECT id, created_at FROM customers WHERE id LIKE ${prefix} AND id > ${after} ORDER BY id LIMIT ${BATCH}`.execute(db)).rows;
    if (customers.length === 0) break;
    after = customers[customers.length - 1].id;
    const ids = customers.map((c) => c.id);
    const orderRows = (await sql<{ id: string; customer_id: string; channel: string; status: string; total: string; placed_at: Date }>`
      SELECT id, customer_id, channel, status, total::text AS total, placed_at FROM orders WHERE customer_id = ANY(${ids}::text[]) ORDER BY customer_id, placed_at, id`.execute(db)).rows;
    const lineRows = (await sql<{ order_id: string; amount: string }>`
      SELECT l.order_id, sum(l.amount)::text AS amount FROM order_lines l
      WHERE l.order_id IN (SELECT id FROM orders WHERE customer_id = ANY(${ids}::text[]) AND status <> 'cancelled') GROUP BY l.order_id`.execute(db)).rows;
    const goodsOf = new Map(lineRows.map((l) => [l.order_id, Number(l.amount)]));
    const ordersOf = new Map<string, DemoOrder[]>();
    for (const o of orderRows) {
      const list = ordersOf.get(o.customer_id) ?? [];
      list.push({ id: o.id, channel: o.channel, status: o.status, total: Number(o.total), placed: new Date(o.placed_at), goods: goodsOf.get(o.id) ?? 0 });
      ordersOf.set(o.customer_id, list);
    }

    const out = { entries: '', buckets: '', moves: '', tiers: '', referrals: '' };
    const codes = new Map<string, { customer_id: string; code: string; created_at: string }>();
    const addCode = (customer: string, at: number) => {
      if (!codes.has(customer)) codes.set(customer, { customer_id: customer, code: inviteCodeOf(opts.seed, Number(customer.slice(customer.lastIndexOf('_') + 1))), created_at: new Date(at).toISOString() });
    };
    const lateCredits: { customer: string; points: number; at: number; order: string; key: string; referee: string }[] = [];
    for (const c of customers) {
      const i = Number(c.id.slice(c.id.lastIndexOf('_') + 1));
      const rng = new Rng((opts.seed * 69069) ^ (i * 2246822519) ^ 0x10ca1);
      const buckets: Bucket[] = [];
      const entry = (kind: string, points: number, source: string, at: number, extra: { order_ref?: string; event_ref?: string; reason?: string; key?: string } = {}) => {
        const id = nextId++;
        out.entries += row([id, c.id, kind, points, source, extra.order_ref ?? null, extra.event_ref ?? null, null, 0, extra.reason ?? null, extra.key ?? null, new Date(at).toISOString()]);
        result.entries++;
        return id;
      };
      const creditAt = (points: number, at: number, expires: number, kind: string, source: string, extra: Parameters<typeof entry>[4] = {}) => {
        const id = entry(kind, points, source, at, extra);
        buckets.push({ id, points, remaining: points, expires, created: at });
        return id;
      };
      /** Expires the buckets due by `t` (each at its own expiry time). */
      const expireUntil = (t: number) => {
        for (const b of [...buckets].sort((x, y) => x.expires - y.expires || x.id - y.id)) {
          if (b.expires > t || b.remaining === 0) continue;
          const id = entry('expire', -b.remaining, 'expiry', b.expires, { event_ref: `bucket:${b.id}` });
          out.moves += row([id, b.id, b.remaining]);
          b.remaining = 0;
        }
      };
      const balance = () => buckets.reduce((s, b) => s + b.remaining, 0);
      const created = new Date(c.created_at).getTime();

      // Opening balances from the retailer's previous loyalty system, with that system's expiry dates.
      if (rng.chance(0.25)) {
        const points = 100 * rng.int(1, 30);
        const expires = Math.min(anchor + 300 * DAY_MS, created + rng.int(20, 420) * DAY_MS);
        creditAt(points, created, expires, 'adjust', 'adjust', { reason: 'opening balance from the previous loyalty system' });
      }

      let tier = 0;
      let since = created;
      const window: { at: number; amount: number }[] = [];
      let first = true;
      for (const o of ordersOf.get(c.id) ?? []) {
        if (o.status === 'cancelled') continue;
        const at = o.placed.getTime();
        expireUntil(at);
        // Some orders spend points (at placement, first-expiring first).
        if (balance() >= 500 && rng.chance(0.18)) {
          const want = Math.min(balance(), 100 * rng.int(3, Math.max(3, Math.floor(balance() / 100))));
          const id = entry('redeem', -want, 'order', at, { order_ref: o.id });
          let left = want;
          for (const b of [...buckets].sort((x, y) => x.expires - y.expires || x.id - y.id)) {
            if (left === 0) break;
            const take = Math.min(left, b.remaining);
            if (take === 0) continue;
            b.remaining -= take;
            left -= take;
            out.moves += row([id, b.id, take]);
          }
        }
        // Earned on payment, with the tier of the time.
        const m = tiers[tier].multiplier * (rules.channel_multipliers[o.channel] ?? 1) * rules.earn_per_yuan;
        // The order's points as one figure (returns spread it over the lines by amount; see reverseForReturn).
        const earned = Math.floor((o.goods * m) / 100 + 1e-9);
        // (no idempotency key: the history is not replayed, and the unique index is the costliest part of loading it)
        if (earned > 0) creditAt(earned, at, expiry(at), 'earn', 'order', { order_ref: o.id });
        window.push({ at, amount: o.total });
        while (window.length && window[0].at <= at - YEAR_MS) window.shift();
        const spend = window.reduce((s, w) => s + w.amount, 0);
        let reach = 0;
        tiers.forEach((t, r) => {
          if (spend >= t.min_spend) reach = r;
        });
        if (reach > tier) {
          tier = reach;
          since = at;
        }
        // A few customers came through a friend's invitation: both rewarded on the first order.
        if (first && i > 50 && rng.chance(0.04)) {
          const j = (i * 7 + rng.int(1, 40)) % i;
          const referrer = `cus_demo${opts.seed}_${String(j).padStart(7, '0')}`;
          const code = inviteCodeOf(opts.seed, j);
          const bound = new Date(Math.min(created, at - 60_000)).toISOString();
          const reward = { referrer_points: rules.referral.referrer_points, referee_points: rules.referral.referee_points, coupons: { referrer: null, referee: null } };
          out.referrals += row([c.id, referrer, code, bound, o.id, o.placed.toISOString(), JSON.stringify(reward)]);
          creditAt(rules.referral.referee_points, at, expiry(at), 'earn', 'referral', { order_ref: o.id, event_ref: `referral:${c.id}`, key: `referral:${c.id}:referee`, reason: 'referral: invited' });
          lateCredits.push({ customer: referrer, points: rules.referral.referrer_points, at, order: o.id, key: `referral:${c.id}:referrer`, referee: c.id });
          result.referrals++;
        }
        first = false;
      }
      expireUntil(anchor);
      for (const b of buckets) out.buckets += row([b.id, c.id, b.points, b.remaining, new Date(b.expires).toISOString(), new Date(b.created).toISOString()]);
      // 12-month spend as of now decides the tier held (the daily job would have moved it down otherwise).
      const spendNow = window.filter((w) => w.at > anchor - YEAR_MS).reduce((s, w) => s + w.amount, 0);
      let held = 0;
      tiers.forEach((t, r) => {
        if (spendNow >= t.min_spend) held = r;
      });
      if (held > 0) {
        out.tiers += row([c.id, tiers[held].code, new Date(held === tier ? since : anchor).toISOString(), new Date(anchor).toISOString()]);
        result.tiers[tiers[held].code] = (result.tiers[tiers[held].code] ?? 0) + 1;
      }
      if ((ordersOf.get(c.id)?.length ?? 0) > 0 && rng.chance(0.3)) addCode(c.id, created);
    }
    // Referrers' rewards: a bucket each (referrers come earlier in the id order, so their own walk is done).
    for (const r of lateCredits) {
      const id = nextId++;
      out.entries += row([id, r.customer, 'earn', r.points, 'referral', r.order, `referral:${r.referee}`, null, 0, 'referral: invited a new customer', r.key, new Date(r.at).toISOString()]);
      out.buckets += row([id, r.customer, r.points, r.points, expiryOf(new Date(r.at), rules.expiry_months, tz).toISOString(), new Date(r.at).toISOString()]);
      addCode(r.customer, r.at - 30 * DAY_MS);
      result.entries++;
    }
    const trusted = { trusted: true };
    if (out.entries) await database.copyCsv('points_entries', ENTRY_COLUMNS, out.entries, trusted);
    if (out.buckets) await database.copyCsv('points_buckets', BUCKET_COLUMNS, out.buckets, trusted);
    if (out.moves) await database.copyCsv('points_moves', MOVE_COLUMNS, out.moves, trusted);
    if (out.tiers) await database.copyCsv('customer_tiers', TIER_COLUMNS, out.tiers, trusted);
    // Referrers' codes may have been made in an earlier batch: skip those.
    if (codes.size) await sql`INSERT INTO referral_codes (customer_id, code, created_at) SELECT * FROM json_to_recordset(${JSON.stringify([...codes.values()])}::json) AS x(customer_id text, code text, created_at timestamptz) ON CONFLICT DO NOTHING`.execute(db);
    if (out.referrals) await database.copyCsv('referrals', REFERRAL_COLUMNS, out.referrals, trusted);
    await new Promise((r) => setImmediate(r));
  }
  // The tier spend ledger: every paid order of the history (one statement beats building CSV for it).
  await sql`
    INSERT INTO tier_spend (customer_id, order_ref, ref, amount, at)
    SELECT customer_id, id, 'order', total, placed_at FROM orders
    WHERE id LIKE ${`ord_demo${opts.seed}\\_%`} AND customer_id IS NOT NULL AND status <> 'cancelled'
    ON CONFLICT DO NOTHING`.execute(db);
  await sql`SELECT setval('points_entries_id_seq', greatest((SELECT max(id) FROM points_entries), 1))`.execute(db);
  return result;
}
