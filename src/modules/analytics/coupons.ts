/**
 * GET /v1/analytics/coupons: coupon ROI per template over a date range, from the coupon rollup
 * (coupon-rollup.ts).
 */
import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { couponTemplateFacts } from '../loyalty/coupons/public';
import { checkRange } from './sales';

/** The definitions, for /docs (the console shows the same beside each figure). */
export const COUPON_DEFINITIONS =
  "Per coupon template over [from, to] (days in the retailer's time zone, to inclusive). issued = coupons issued " +
  'that day. redeemed = redemptions: one made at checkout counts when its order is a sale (paid or completed, not ' +
  'cancelled or expired), on the day the order was placed — a coupon given back by a full return stays counted; ' +
  'one made at a till for no order placed with it (POST /v1/coupons/{code}/redeem) counts on the day it was made. ' +
  'redemption_rate = redeemed / issued over the same range (null when none was issued; a range can hold ' +
  'redemptions of coupons issued before it). discount = Σ fen the redemptions took off (the cost). orders = sales ' +
  'that used the template at checkout; net_sales = those orders’ net sales (gross − coupons − points, delivery fees ' +
  'excluded, their refunds taken off on the day of the return), so an order that used two templates counts for ' +
  'both and the totals’ net_sales may count it twice. roi = net_sales / discount (null without discount). ' +
  "Journeys' uplift (the Marketing II issue) is not reported yet: journeys are not built. Figures come from a rollup " +
  'kept up to date from the coupons’ and orders’ events within about a second (santong analytics rebuild ' +
  'recomputes it).';

interface CouponFigures {
  issued: number;
  redeemed: number;
  redemption_rate: number | null;
  discount: number;
  orders: number;
  net_sales: number;
  roi: number | null;
}

interface CouponRow extends CouponFigures {
  template_id: string;
  name: string;
  kind: string;
  status: string;
}

interface CouponReport {
  currency: string;
  timezone: string;
  from: string;
  to: string;
  totals: CouponFigures;
  templates: CouponRow[];
}

type Raw = { issued: string; redeemed: string; discount: string; orders: string; net_sales: string };

function figures(r: Raw): CouponFigures {
  const issued = Number(r.issued);
  const redeemed = Number(r.redeemed);
  const discount = Number(r.discount);
  const net = Number(r.net_sales);
  return {
    issued,
    redeemed,
    redemption_rate: issued > 0 ? Math.round((redeemed / issued) * 10000) / 10000 : null,
    discount,
    orders: Number(r.orders),
    net_sales: net,
    roi: discount > 0 ? Math.round((net / discount) * 100) / 100 : null,
  };
}

/** Every template (with zeros when quiet in the range), by discount, then issued, descending. */
export async function couponReport(
  db: Queryable,
  settings: { timezone: string; currency: string },
  q: { from: string; to: string },
): Promise<CouponReport> {
  checkRange(q.from, q.to);
  const rows = (
    await sql<Raw & { template_id: string; name: string; kind: string; status: string }>`
      SELECT t.id AS template_id, t.name, t.kind, t.status,
             coalesce(d.issued, 0)::text AS issued, coalesce(d.redeemed, 0)::text AS redeemed,
             coalesce(d.discount, 0)::text AS discount, coalesce(d.orders, 0)::text AS orders,
             coalesce(d.net_sales, 0)::text AS net_sales
      FROM ${couponTemplateFacts} t
      LEFT JOIN (
        SELECT template_id, sum(issued) AS issued, sum(redeemed) AS redeemed, sum(discount) AS discount,
               sum(orders) AS orders, sum(net_sales) AS net_sales
        FROM analytics_coupon_daily WHERE day BETWEEN ${q.from}::date AND ${q.to}::date GROUP BY template_id) d
        ON d.template_id = t.id`.execute(db)
  ).rows;
  const templates = rows
    .map((r) => ({ template_id: r.template_id, name: r.name, kind: r.kind, status: r.status, ...figures(r) }))
    .sort(
      (a, b) =>
        b.discount - a.discount ||
        b.issued - a.issued ||
        (a.template_id < b.template_id ? -1 : a.template_id > b.template_id ? 1 : 0),
    );
  const sum = (pick: (r: Raw) => string) => String(rows.reduce((t, r) => t + Number(pick(r)), 0));
  const totals = figures({
    issued: sum((r) => r.issued),
    redeemed: sum((r) => r.redeemed),
    discount: sum((r) => r.discount),
    orders: sum((r) => r.orders),
    net_sales: sum((r) => r.net_sales),
  });
  return { currency: settings.currency, timezone: settings.timezone, from: q.from, to: q.to, totals, templates };
}
