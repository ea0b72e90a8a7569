/**
 * The demo retailer's loyalty: a points ledger for the history's orders (earned at each paid
 * order with the tier multiplier of the time, some spent on later orders first-expiring first,
 * opening balances carried over from a previous loyalty system, some of which have expired or
 * expire soon), the tiers the 12-month spend reaches, invite codes and referrals rewarded on the
 * referee's first order. Built from each chunk of the history while it is still in memory (no
 * reading the orders back) and loaded with COPY; deterministic for a seed and chunk size.
 * The rows keep the ledger's invariant: per person, sum of entries = points left in buckets >= 0.
 */
import { sql } from 'kysely';
import type { Database } from '../platform/db/database';
import { expiryOf } from '../modules/loyalty/points/expiry-date';
import { DEFAULT_RULES } from '../modules/loyalty/points/rules';
import { DEFAULT_TIERS } from '../modules/loyalty/tiers/rules';
import { row } from './csv';
import type { HistoryCustomer } from './history';
import { Rng } from './rng';
import '../modules/loyalty/points/tables';

const DAY_MS = 86400_000;
const YEAR_MS = 365 * DAY_MS;
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_SPACE = 31 ** 8;

export const ENTRY_COLUMNS = [
  'id',
  'customer_id',
  'kind',
  'points',
  'source',
  'order_ref',
  'event_ref',
  'reverses',
  'unrecovered',
  'reason',
  'idempotency_key',
  'created_at',
];
export const BUCKET_COLUMNS = ['id', 'customer_id', 'points', 'remaining', 'expires_at', 'created_at'];
export const MOVE_COLUMNS = ['entry_id', 'bucket_id', 'points'];
export const TIER_COLUMNS = ['customer_id', 'tier', 'since', 'updated_at'];
export const REFERRAL_COLUMNS = ['referee_id', 'referrer_id', 'code', 'bound_at', 'order_ref', 'rewarded_at', 'reward'];
export const CODE_COLUMNS = ['customer_id', 'code', 'created_at'];
export const TIER_SPEND_COLUMNS = ['customer_id', 'order_ref', 'ref', 'amount', 'at'];

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
  expiresIso: string;
  created: string;
}

/** CSV rows for COPY, one string per table. */
export interface LoyaltyRows {
  entries: string;
  buckets: string;
  moves: string;
  tiers: string;
  codes: string;
  referrals: string;
  tierSpend: string;
}

/** An instant in ms with its ISO form (formatting is a good part of the cost of the rows). */
interface Instant {
  t: number;
  iso: string;
}

interface EntryExtra {
  order_ref?: string;
  event_ref?: string;
  reason?: string;
  key?: string;
}

const TRUSTED = { trusted: true };
const iso = (t: number) => new Date(t).toISOString();
const instant = (t: number): Instant => ({ t, iso: iso(t) });
const byExpiry = (x: Bucket, y: Bucket) => x.expires - y.expires || x.id - y.id;

/**
 * One customer's points while their history is walked: the buckets in the order opened, the ones
 * with points left kept sorted first-expiring first (ties by id), and the balance.
 */
class Wallet {
  readonly buckets: Bucket[] = [];
  private readonly open: Bucket[] = [];
  balance = 0;

  constructor(
    private readonly loyalty: DemoLoyalty,
    private readonly out: LoyaltyRows,
    private readonly customer: string,
  ) {}

  entry(kind: string, points: number, source: string, at: string, extra: EntryExtra = {}): number {
    return this.loyalty.entry(this.out, this.customer, kind, points, source, at, extra);
  }

  credit(points: number, at: string, expires: Instant, kind: string, source: string, extra: EntryExtra = {}): number {
    const id = this.entry(kind, points, source, at, extra);
    const b = { id, points, remaining: points, expires: expires.t, expiresIso: expires.iso, created: at };
    this.buckets.push(b);
    let k = this.open.length;
    while (k > 0 && byExpiry(this.open[k - 1], b) > 0) k--;
    this.open.splice(k, 0, b);
    this.balance += points;
    return id;
  }

  /** Expires the buckets due by `t` (each at its own expiry time). */
  expireUntil(t: number): void {
    while (this.open.length && this.open[0].expires <= t) {
      const b = this.open.shift()!;
      const id = this.entry('expire', -b.remaining, 'expiry', b.expiresIso, { event_ref: `bucket:${b.id}` });
      this.out.moves += row([id, b.id, b.remaining]);
      this.balance -= b.remaining;
      b.remaining = 0;
    }
  }

  /** Spends points first-expiring first. */
  redeem(points: number, at: string, orderRef: string): void {
    const id = this.entry('redeem', -points, 'order', at, { order_ref: orderRef });
    let left = points;
    let emptied = 0;
    for (const b of this.open) {
      if (left === 0) break;
      const take = Math.min(left, b.remaining);
      b.remaining -= take;
      left -= take;
      this.out.moves += row([id, b.id, take]);
      if (b.remaining === 0) emptied++;
    }
    this.open.splice(0, emptied);
    this.balance -= points;
  }
}

/**
 * The loyalty of the demo history, a chunk of customers at a time, in customer order. Entry ids
 * run on from `firstEntryId` across chunks; a referrer's reward comes at the end of the referee's
 * chunk (referrers have lower indexes, so their own walk is done by then).
 */
export class DemoLoyalty {
  readonly result: LoyaltySeedResult = { entries: 0, tiers: {}, referrals: 0 };
  private nextId: number;
  private readonly seed: number;
  private readonly anchor: number;
  private readonly tz: string;
  private readonly rules = DEFAULT_RULES;
  private readonly tiers = DEFAULT_TIERS.tiers;
  /** Expiry of points earned in a local month: [month start, next month start) → expiry. */
  private readonly expiries: { from: number; to: number; expires: Instant }[] = [];
  /** Customers (by index) given an invite code in an earlier chunk. */
  private readonly coded = new Set<number>();

  constructor(opts: { seed: number; anchor: Date; timezone?: string; firstEntryId?: number }) {
    this.seed = opts.seed;
    this.anchor = opts.anchor.getTime();
    this.tz = opts.timezone ?? process.env.SANTONG_TIMEZONE ?? 'Asia/Shanghai';
    this.nextId = opts.firstEntryId ?? 1;
  }

  /** Continues the ids of the ledger already in the database (none on a first start). */
  static async open(database: Database, opts: { seed: number; anchor: Date; timezone?: string }): Promise<DemoLoyalty> {
    const n = Number(
      (await sql<{ n: string }>`SELECT coalesce(max(id), 0)::text AS n FROM points_entries`.execute(database.db))
        .rows[0].n,
    );
    return new DemoLoyalty({ ...opts, firstEntryId: n + 1 });
  }

  /** When points earned at `t` expire (the rules' calendar arithmetic, once per local month). */
  private expiry(t: number): Instant {
    for (const m of this.expiries) if (t >= m.from && t < m.to) return m.expires;
    const at = new Date(t);
    const m = {
      from: expiryOf(at, -1, this.tz).getTime(),
      to: expiryOf(at, 0, this.tz).getTime(),
      expires: instant(expiryOf(at, this.rules.expiry_months, this.tz).getTime()),
    };
    this.expiries.push(m);
    return m.expires;
  }

  /** Appends one ledger entry and returns its id. */
  entry(
    out: LoyaltyRows,
    customer: string,
    kind: string,
    points: number,
    source: string,
    at: string,
    extra: EntryExtra,
  ): number {
    const id = this.nextId++;
    out.entries += row([
      id,
      customer,
      kind,
      points,
      source,
      extra.order_ref ?? null,
      extra.event_ref ?? null,
      null,
      0,
      extra.reason ?? null,
      extra.key ?? null,
      at,
    ]);
    this.result.entries++;
    return id;
  }

  private addCode(out: LoyaltyRows, i: number, at: number): void {
    if (this.coded.has(i)) return;
    this.coded.add(i);
    out.codes += row([`cus_demo${this.seed}_${String(i).padStart(7, '0')}`, inviteCodeOf(this.seed, i), iso(at)]);
  }

  /** The ledger, tiers, invite codes, referrals and tier spend of these customers (the next chunk). */
  rows(people: HistoryCustomer[]): LoyaltyRows {
    const { rules, tiers, anchor, seed, result } = this;
    const out: LoyaltyRows = {
      entries: '',
      buckets: '',
      moves: '',
      tiers: '',
      codes: '',
      referrals: '',
      tierSpend: '',
    };
    const lateCredits: {
      customer: string;
      index: number;
      points: number;
      at: Instant;
      order: string;
      key: string;
      referee: string;
    }[] = [];
    for (const c of people) {
      const i = c.index;
      const rng = new Rng((seed * 69069) ^ (i * 2246822519) ^ 0x10ca1);
      const wallet = new Wallet(this, out, c.id);
      const created = c.created;

      // Opening balances from the retailer's previous loyalty system, with that system's expiry dates.
      if (rng.chance(0.25)) {
        const points = 100 * rng.int(1, 30);
        const expires = Math.min(anchor + 300 * DAY_MS, created + rng.int(20, 420) * DAY_MS);
        wallet.credit(points, iso(created), instant(expires), 'adjust', 'adjust', {
          reason: 'opening balance from the previous loyalty system',
        });
      }

      let tier = 0;
      let since = created;
      const window: { at: number; amount: number }[] = [];
      let spend = 0; // over the window: the 12 months up to the order
      let first = true;
      for (const o of c.orders) {
        if (o.status === 'cancelled') continue;
        const at = o.placed;
        const atIso = o.placed_at;
        // The tier spend ledger: every paid order of the history.
        out.tierSpend += row([c.id, o.id, 'order', o.total, atIso]);
        wallet.expireUntil(at);
        // Some orders spend points (at placement, first-expiring first).
        const balance = wallet.balance;
        if (balance >= 500 && rng.chance(0.18))
          wallet.redeem(Math.min(balance, 100 * rng.int(3, Math.max(3, Math.floor(balance / 100)))), atIso, o.id);
        // Earned on payment, with the tier of the time.
        const m = tiers[tier].multiplier * (rules.channel_multipliers[o.channel] ?? 1) * rules.earn_per_yuan;
        // The order's points as one figure (returns spread it over the lines by amount; see reverseForReturn).
        const earned = Math.floor((o.goods * m) / 100 + 1e-9);
        // (no idempotency key: the history is not replayed, and the unique index is the costliest part of loading it)
        if (earned > 0) wallet.credit(earned, atIso, this.expiry(at), 'earn', 'order', { order_ref: o.id });
        window.push({ at, amount: o.total });
        spend += o.total;
        while (window.length && window[0].at <= at - YEAR_MS) spend -= window.shift()!.amount;
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
          const referrer = `cus_demo${seed}_${String(j).padStart(7, '0')}`;
          const code = inviteCodeOf(seed, j);
          const bound = iso(Math.min(created, at - 60_000));
          const reward = {
            referrer_points: rules.referral.referrer_points,
            referee_points: rules.referral.referee_points,
            coupons: { referrer: null, referee: null },
          };
          out.referrals += row([c.id, referrer, code, bound, o.id, atIso, JSON.stringify(reward)]);
          wallet.credit(rules.referral.referee_points, atIso, this.expiry(at), 'earn', 'referral', {
            order_ref: o.id,
            event_ref: `referral:${c.id}`,
            key: `referral:${c.id}:referee`,
            reason: 'referral: invited',
          });
          lateCredits.push({
            customer: referrer,
            index: j,
            points: rules.referral.referrer_points,
            at: { t: at, iso: atIso },
            order: o.id,
            key: `referral:${c.id}:referrer`,
            referee: c.id,
          });
          result.referrals++;
        }
        first = false;
      }
      wallet.expireUntil(anchor);
      for (const b of wallet.buckets) out.buckets += row([b.id, c.id, b.points, b.remaining, b.expiresIso, b.created]);
      // 12-month spend as of now decides the tier held (the daily job would have moved it down otherwise).
      const spendNow = window.filter((w) => w.at > anchor - YEAR_MS).reduce((s, w) => s + w.amount, 0);
      let held = 0;
      tiers.forEach((t, r) => {
        if (spendNow >= t.min_spend) held = r;
      });
      if (held > 0) {
        out.tiers += row([c.id, tiers[held].code, iso(held === tier ? since : anchor), iso(anchor)]);
        result.tiers[tiers[held].code] = (result.tiers[tiers[held].code] ?? 0) + 1;
      }
      if (c.orders.length > 0 && rng.chance(0.3)) this.addCode(out, i, created);
    }
    // Referrers' rewards: a bucket each.
    for (const r of lateCredits) {
      const id = this.entry(out, r.customer, 'earn', r.points, 'referral', r.at.iso, {
        order_ref: r.order,
        event_ref: `referral:${r.referee}`,
        reason: 'referral: invited a new customer',
        key: r.key,
      });
      out.buckets += row([id, r.customer, r.points, r.points, this.expiry(r.at.t).iso, r.at.iso]);
      this.addCode(out, r.index, r.at.t - 30 * DAY_MS);
    }
    return out;
  }

  /** Builds the next chunk's rows and loads them. */
  async load(database: Database, people: HistoryCustomer[]): Promise<void> {
    const out = this.rows(people);
    if (out.entries) await database.copyCsv('points_entries', ENTRY_COLUMNS, out.entries, TRUSTED);
    if (out.buckets) await database.copyCsv('points_buckets', BUCKET_COLUMNS, out.buckets, TRUSTED);
    if (out.moves) await database.copyCsv('points_moves', MOVE_COLUMNS, out.moves, TRUSTED);
    if (out.tiers) await database.copyCsv('customer_tiers', TIER_COLUMNS, out.tiers, TRUSTED);
    if (out.codes) await database.copyCsv('referral_codes', CODE_COLUMNS, out.codes, TRUSTED);
    if (out.referrals) await database.copyCsv('referrals', REFERRAL_COLUMNS, out.referrals, TRUSTED);
    if (out.tierSpend) await database.copyCsv('tier_spend', TIER_SPEND_COLUMNS, out.tierSpend, TRUSTED);
  }

  /** After the last chunk: the entry id sequence continues after the rows loaded with their ids. */
  async finish(database: Database): Promise<LoyaltySeedResult> {
    await sql`SELECT setval('points_entries_id_seq', greatest((SELECT max(id) FROM points_entries), 1))`.execute(
      database.db,
    );
    return this.result;
  }
}
