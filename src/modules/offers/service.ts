import { sql } from 'kysely';
import type { Channel } from '../../platform/auth/roles';
import type { Queryable } from '../../platform/db/database';
import { productCards } from '../catalog/public';
import { viewedSkus } from '../customers/public';
import { stockLevels } from '../inventory/public';
import { usableCouponsOf, type WalletCoupon } from '../loyalty/public';

/** How far back a view counts, and how many viewed products an offer list names. */
export const VIEWED_DAYS = 30;
const VIEWED_LIMIT = 5;
const DAY = 86_400_000;

export interface ViewedProduct {
  sku: string;
  name: string;
  /** list price, fen */
  price: number;
  /** units this store can sell now (on hand − reserved) */
  available: number;
  viewed_at: string;
}

export interface Offers {
  customer_id: string;
  channel: Channel;
  location_id: string;
  /** the wallet's coupons usable now in this channel and store, best value first */
  coupons: (WalletCoupon & { products: { sku: string; name: string }[] })[];
  /** products the customer viewed lately that this store has in stock and sells in this channel, latest view first */
  products: ViewedProduct[];
}

/** The SKUs a coupon names: those it is limited to, and its gift. */
const productsOf = (c: WalletCoupon) => [...(c.skus ?? []), ...(c.gift_sku ? [c.gift_sku] : [])];

/**
 * What a till shows a member after payment (best offers for now and here): the coupons usable at
 * this store, then the products they viewed lately that the store can sell them now.
 */
export async function readOffers(
  db: Queryable,
  root: string,
  channel: Channel,
  locationId: string,
  now = new Date(),
): Promise<Offers> {
  const [coupons, viewed] = await Promise.all([
    usableCouponsOf(db, root, channel, locationId, now),
    sql<{ sku: string; name: string; list_price: string; available: string; viewed_at: Date }>`
      SELECT v.sku, p.name, p.list_price, s.on_hand - s.reserved AS available, v.viewed_at
      FROM ${viewedSkus(root, new Date(now.getTime() - VIEWED_DAYS * DAY))} v
      JOIN ${productCards} p ON p.sku = v.sku
      JOIN ${stockLevels} s ON s.sku = v.sku AND s.location_id = ${locationId}
      WHERE s.on_hand - s.reserved > 0 AND ${channel}::text = ANY(p.channels)
      ORDER BY v.viewed_at DESC, v.sku LIMIT ${VIEWED_LIMIT}`.execute(db),
  ]);
  const scoped = [...new Set(coupons.flatMap(productsOf))];
  const names = scoped.length
    ? new Map(
        (
          await sql<{ sku: string; name: string }>`SELECT p.sku, p.name FROM ${productCards} p
            WHERE p.sku IN (${sql.join(scoped)})`.execute(db)
        ).rows.map((r) => [r.sku, r.name]),
      )
    : new Map<string, string>();
  return {
    customer_id: root,
    channel,
    location_id: locationId,
    coupons: coupons.map((c) => ({
      ...c,
      products: productsOf(c).map((sku) => ({ sku, name: names.get(sku) ?? sku })),
    })),
    products: viewed.rows.map((r) => ({
      sku: r.sku,
      name: r.name,
      price: Number(r.list_price),
      available: Number(r.available),
      viewed_at: new Date(r.viewed_at).toISOString(),
    })),
  };
}
