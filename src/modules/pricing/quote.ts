import type { Channel } from '../../platform/auth/roles';
import { coalescingPerHandle } from '../../platform/db/coalesce';
import { StatementParams } from '../../platform/db/statement';
import type { Queryable } from '../../platform/db/database';
import { AppError, unprocessable } from '../../platform/http/errors';
import { productsFromJson, productsJson, type ProductInfo } from '../catalog/public';
import { groupIds } from '../customers/public';
import { pausedPromotions } from '../inventory/low-stock';
import { couponsForCheckout } from '../loyalty/coupons/service';
import { loyaltyRules, pointsBalance } from '../loyalty/points/service';
import { price, type EngineInput, type Quote } from './engine';

/** Delivery fee in fen by speed, waived when the goods after coupons reach FREE_DELIVERY_FROM. */
export const DELIVERY_FEES = { hour: 900, same_day: 700, standard: 600 } as const;
export const FREE_DELIVERY_FROM = 9900;

export type QuoteFulfilment =
  | { type: 'delivery'; lat: number; lng: number; speed: keyof typeof DELIVERY_FEES }
  | { type: 'pickup' | 'in_store'; location_id: string; lat: number; lng: number };

export interface QuoteRequest {
  channel: Channel;
  /** The customer's root id, or null for an anonymous sale. */
  customerId: string | null;
  lines: { sku: string; qty: number }[];
  fulfillment: QuoteFulfilment;
  coupon_codes?: string[];
  points?: number;
  /**
   * Load a member's balance and the most points usable even when none are spent (the till's quote
   * shows them); orders skip the two reads unless points are spent.
   */
  withBalance?: boolean;
}

async function loadProducts(db: Queryable, skus: string[]): Promise<Map<string, ProductInfo>> {
  const params = new StatementParams();
  const r = await params.run<{ products: Parameters<typeof productsFromJson>[0] }>(
    db,
    `SELECT ${productsJson(params, skus)} AS products`,
  );
  return productsFromJson(r.rows[0].products);
}

/** Concurrent checkouts read the catalogue together (one query for many requests under load). */
const sharedProducts = coalescingPerHandle(loadProducts);

/** Unknown SKUs, SKUs not sold in the channel and repeated SKUs are 422 naming the line. */
export function checkProducts(
  products: Map<string, ProductInfo>,
  channel: Channel,
  lines: { sku: string; qty: number }[],
): void {
  const seen = new Set<string>();
  lines.forEach((l, i) => {
    if (seen.has(l.sku))
      throw unprocessable(
        'duplicate_sku',
        `${l.sku} appears twice; put the total quantity on one line`,
        `lines[${i}].sku`,
      );
    seen.add(l.sku);
    const p = products.get(l.sku);
    if (!p) throw unprocessable('unknown_sku', `no product ${l.sku}`, `lines[${i}].sku`);
    if (!p.channels.includes(channel))
      throw unprocessable('not_sold_in_channel', `${l.sku} is not sold in channel ${channel}`, `lines[${i}].sku`);
  });
}

/** The catalogue rows of an order's SKUs, checked with checkProducts. */
export async function productsFor(
  db: Queryable,
  channel: Channel,
  lines: { sku: string; qty: number }[],
): Promise<Map<string, ProductInfo>> {
  const skus = lines.map((l) => l.sku);
  const products = db.isTransaction ? await loadProducts(db, skus) : await sharedProducts(db, skus);
  checkProducts(products, channel, lines);
  return products;
}

/**
 * Prices a request with the one engine: loads list prices, the coupons named, the points balance and
 * rules, and promotion pauses where the order is served. Reads only; reserves and spends nothing.
 */
export async function quote(
  db: Queryable,
  req: QuoteRequest,
  now = new Date(),
  preloaded?: Map<string, ProductInfo>,
): Promise<Quote> {
  const products = preloaded ?? (await productsFor(db, req.channel, req.lines));
  const f = req.fulfillment;
  const members = req.customerId ? await groupIds(db, req.customerId) : null;
  const codes = req.coupon_codes ?? [];
  const [paused, coupons, rules, balance] = await Promise.all([
    // Pauses only stop coupons: no query when none is used (the flash-sale path).
    codes.length
      ? pausedPromotions(
          db,
          req.lines.map((l) => l.sku),
          { lat: f.lat, lng: f.lng },
        )
      : new Map<string, string>(),
    codes.length
      ? couponsForCheckout(db, codes, {
          members,
          channel: req.channel,
          location_id: f.type === 'delivery' ? null : f.location_id,
          now,
        })
      : null,
    req.points || (req.withBalance && members) ? loyaltyRules(db) : null,
    (req.points || req.withBalance) && members ? pointsBalance(db, members) : null,
  ]);
  const input: EngineInput = {
    lines: req.lines.map((l) => {
      const p = products.get(l.sku)!;
      return {
        sku: l.sku,
        name: p.name,
        category: p.category,
        qty: l.qty,
        unit_price: p.list_price,
        paused: paused.get(l.sku) ?? null,
      };
    }),
    coupons: codes.map((code, index) => {
      const problem = coupons?.problems.find((p) => p.index === index);
      const coupon = problem ? null : (coupons?.usable.find((c) => c.code === code) ?? null);
      return {
        index,
        code,
        coupon,
        problem: problem
          ? { reason: problem.reason, message: problem.message }
          : coupon
            ? undefined
            : { reason: 'not_found', message: `no coupon ${code}` },
      };
    }),
    points: {
      requested: req.points ?? 0,
      balance: members ? (balance ?? 0) : null,
      per_yuan: rules?.points_per_yuan_redeem ?? 100,
      cap_percent: rules?.redeem_cap_percent ?? 50,
    },
    delivery: f.type === 'delivery' ? { fee: DELIVERY_FEES[f.speed], free_from: FREE_DELIVERY_FROM } : null,
  };
  return price(input);
}

/** Turns the first thing the quote could not honour into the error `POST /v1/orders` answers with. */
export function refuseIssues(q: Quote): void {
  const issue = q.issues[0];
  if (issue) throw new AppError(issue.status, issue.code, issue.message, issue.field);
}
