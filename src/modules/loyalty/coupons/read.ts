import './tables';
import { sql } from 'kysely';
import type { Channel } from '../../../platform/auth/roles';
import type { Queryable } from '../../../platform/db/database';
import { badRequest, notFound, unprocessable } from '../../../platform/http/errors';
import { decodeCursor, encodeCursor } from '../../../platform/http/pagination';
import { groupIds, rootOf } from '../../customers/public';
import { formatCouponCode, parseCouponCode } from './codes';
import { iso, locationsOf, usability, type CouponRow, type TemplateRow } from './scope';

/** A coupon as the API shows it: no personal data, the customer by id only. */
export function couponView(c: CouponRow, t: TemplateRow, channel: Channel | null, location: string | null, now: Date) {
  const why = usability(c, t, channel, location, now);
  return {
    code: c.code,
    display: formatCouponCode(c.code),
    status: c.status,
    customer_id: c.customer_id,
    via: c.via,
    issued_at: iso(c.issued_at)!,
    valid_from: iso(c.valid_from)!,
    valid_to: iso(c.valid_to),
    template: {
      id: t.id,
      name: t.name,
      kind: t.kind,
      value: Number(t.value),
      cap: t.cap === null ? null : Number(t.cap),
      min_spend: Number(t.min_spend),
      gift_sku: t.gift_sku,
      channels: t.channels,
      locations: locationsOf(c, t),
      skus: c.scope_sku === null ? t.skus : [c.scope_sku],
      categories: c.scope_sku === null ? t.categories : null,
      stackable: t.stackable,
    },
    redemption:
      c.status === 'redeemed' && c.order_ref && c.redeemed_channel && c.redeemed_at
        ? {
            order_ref: c.order_ref,
            channel: c.redeemed_channel,
            location_id: c.redeemed_location_id,
            amount: Number(c.redeemed_amount ?? 0),
            at: iso(c.redeemed_at)!,
          }
        : null,
    usable: why === null,
    reason: why?.reason ?? null,
    message: why?.message ?? null,
  };
}

/** GET /coupons/:code: a malformed code is 422 naming `code` (no lookup), an unknown one 404. */
export async function readCoupon(
  db: Queryable,
  raw: string,
  channel: Channel | null,
  location: string | null,
  now: Date,
) {
  const p = parseCouponCode(raw);
  if (!p.ok) throw unprocessable('invalid_coupon_code', p.message, 'code');
  const c = await db.selectFrom('coupons').selectAll().where('code', '=', p.code).executeTakeFirst();
  if (!c) throw notFound('coupon', 'code');
  const t = await db
    .selectFrom('coupon_templates')
    .selectAll()
    .where('id', '=', c.template_id)
    .executeTakeFirstOrThrow();
  return couponView(c, t, channel, location, now);
}

/** A person's coupons, newest first (issued_at, code), keyset-paginated. Null for an unknown customer. */
export async function listCoupons(
  db: Queryable,
  q: { customer_id: string; status?: string; cursor?: string; limit: number },
) {
  const root = await rootOf(db, q.customer_id);
  if (!root) return null;
  const members = await groupIds(db, root);
  const c = decodeCursor(q.cursor, 2, ['time', 'string']);
  if (c && (typeof c[0] !== 'string' || typeof c[1] !== 'string' || Number.isNaN(Date.parse(c[0]))))
    throw badRequest('cursor is not valid', 'cursor');
  let query = db
    .selectFrom('coupons')
    .selectAll()
    .where('customer_id', 'in', members)
    .orderBy('issued_at', 'desc')
    .orderBy(sql`code COLLATE "C"`, 'desc')
    .limit(q.limit + 1);
  if (q.status) query = query.where('status', '=', q.status as CouponRow['status']);
  if (c)
    query = query.where(
      sql<boolean>`(issued_at, code COLLATE "C") < (${c[0] as string}::timestamptz, ${c[1] as string} COLLATE "C")`,
    );
  const rows = await query.execute();
  const page = rows.slice(0, q.limit);
  const ids = [...new Set(page.map((r) => r.template_id))];
  const templates = new Map(
    (ids.length ? await db.selectFrom('coupon_templates').selectAll().where('id', 'in', ids).execute() : []).map(
      (t) => [t.id, t],
    ),
  );
  const now = new Date();
  const last = page[page.length - 1];
  return {
    items: page.map((r) => couponView(r, templates.get(r.template_id)!, null, null, now)),
    next_cursor: rows.length > q.limit ? encodeCursor([new Date(last.issued_at).toISOString(), last.code]) : null,
  };
}
