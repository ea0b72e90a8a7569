import './tables';
import { sql } from 'kysely';
import { registerTimelineSource } from '../../customers/timeline';

/** A code is a bearer voucher at a till: only admins see it whole in the timeline. */
const masked = (code: string) => `${code.slice(0, 4)}-****-****-${code.slice(12)}`;

/**
 * Coupons in the customer timeline (kind `coupon`): each coupon once when it was issued or
 * claimed (type = via), and each redemption (type `redeemed`, kept when later restored).
 */
registerTimelineSource({
  kind: 'coupon',
  rank: 4,
  async fetch(db, q) {
    const at = sql`at`;
    const key = sql`key`;
    const rows = await sql<{
      key: string;
      what: string;
      code: string;
      template_id: string;
      name: string;
      channel: string | null;
      location_id: string | null;
      order_ref: string | null;
      amount: string | null;
      restored: boolean;
      at: Date;
      us: string;
    }>`
      SELECT * FROM (
        SELECT c.code || ':i' AS key, c.via AS what, c.code, c.template_id, t.name, c.channel, NULL::text AS location_id, NULL::text AS order_ref, NULL::text AS amount, false AS restored, c.issued_at AS at, ${q.us(sql`c.issued_at`)} AS us
        FROM coupons c JOIN coupon_templates t ON t.id = c.template_id WHERE c.customer_id = ANY(${q.members}::text[])
        UNION ALL
        SELECT c.code || ':r' || lpad(r.id::text, 20, '0'), 'redeemed', c.code, c.template_id, t.name, r.channel, r.location_id, r.order_ref, r.amount::text, r.restored_at IS NOT NULL, r.redeemed_at, ${q.us(sql`r.redeemed_at`)}
        FROM coupon_redemptions r JOIN coupons c ON c.code = r.code JOIN coupon_templates t ON t.id = c.template_id WHERE c.customer_id = ANY(${q.members}::text[])
      ) x WHERE ${q.after(at, key)}
      ORDER BY at DESC, key COLLATE "C" DESC LIMIT ${q.limit}`.execute(db);
    return rows.rows.map((r) => ({
      us: Number(r.us),
      key: r.key,
      item: {
        at: new Date(r.at).toISOString(),
        ...(r.channel ? { channel: r.channel } : {}),
        type: r.what,
        data: {
          code: q.full ? r.code : masked(r.code),
          template_id: r.template_id,
          name: r.name,
          ...(r.what === 'redeemed'
            ? {
                order_ref: r.order_ref,
                location_id: r.location_id,
                amount: Number(r.amount ?? 0),
                restored: r.restored,
              }
            : {}),
        },
      },
    }));
  },
});
