import { sql } from 'kysely';
import type { Channel } from '../../platform/auth/roles';
import type { Queryable } from '../../platform/db/database';
import { getProduct } from '../catalog/public';
import { stockLevels } from '../inventory/public';
import { locationName, openShopsNear, storePoints } from '../locations/public';
import { quote } from '../pricing/public';
import { reviewSummary, type ReviewSummary } from './service';

/** How far "nearby stores" reach from the shelf's store, and how many are listed. */
const NEARBY_KM = 10;
const NEARBY_MAX = 5;
const RECENT_REVIEWS = 5;

export interface StoreStock {
  id: string;
  name: string;
  /** units a walk-in customer can take now: on hand less what orders hold */
  available: number;
  km?: number;
}

export interface ShelfProduct {
  sku: string;
  name: string;
  /** fen: the one price, as the pricing engine quotes one unit */
  price: number;
  images: string[];
  video: string | null;
  /** the channel the price was quoted in (the till's when the product is sold there) */
  channel: Channel;
  store: StoreStock | null;
  nearby: StoreStock[];
  reviews: ReviewSummary;
}

const httpUrl = (v: unknown): v is string => typeof v === 'string' && /^https?:\/\/[^\s"'<>]+$/.test(v);

/**
 * What the shelf-QR page shows of a SKU at a store: null when there is no such product. An unknown
 * `store` is shown as none (the page still works for a QR code printed before a store closed).
 */
export async function shelfProduct(db: Queryable, sku: string, storeId: string | null): Promise<ShelfProduct | null> {
  const product = await getProduct(db, sku);
  if (!product) return null;
  const point = storeId
    ? (
        await sql<{
          id: string;
          lat: number;
          lng: number;
        }>`SELECT id, lat, lng FROM ${storePoints} p WHERE id = ${storeId}`.execute(db)
      ).rows[0]
    : undefined;
  const channel: Channel = product.channels.includes('pos') ? 'pos' : ((product.channels[0] ?? 'web') as Channel);
  const [q, stocks, name, reviews] = await Promise.all([
    quote(db, {
      channel,
      customerId: null,
      lines: [{ sku, qty: 1 }],
      fulfillment: point
        ? { type: 'in_store', location_id: point.id, lat: point.lat, lng: point.lng }
        : { type: 'delivery', lat: 0, lng: 0, speed: 'standard' },
    }),
    point
      ? sql<{ id: string; name: string; km: number; available: number }>`
          SELECT n.id, n.name, n.km, greatest(0, coalesce(s.on_hand - s.reserved, 0))::int AS available
          FROM ${openShopsNear(point, NEARBY_KM)} n LEFT JOIN ${stockLevels} s ON s.location_id = n.id AND s.sku = ${sku}
          ORDER BY n.km, n.id LIMIT ${NEARBY_MAX + 1}`.execute(db)
      : null,
    point ? locationName(db, point.id) : null,
    reviewSummary(db, sku, RECENT_REVIEWS),
  ]);
  const rows = stocks?.rows ?? [];
  const here = rows.find((r) => r.id === point?.id);
  const attrs = product.attributes;
  return {
    sku,
    name: product.name,
    price: q.lines[0].unit_price,
    images: Array.isArray(attrs.images) ? attrs.images.filter(httpUrl).slice(0, 6) : [],
    video: httpUrl(attrs.video) ? attrs.video : null,
    channel,
    store: point ? { id: point.id, name: name ?? point.id, available: here?.available ?? 0 } : null,
    nearby: rows
      .filter((r) => r.id !== point?.id)
      .slice(0, NEARBY_MAX)
      .map((r) => ({ id: r.id, name: r.name, available: r.available, km: Math.round(r.km * 10) / 10 })),
    reviews,
  };
}
