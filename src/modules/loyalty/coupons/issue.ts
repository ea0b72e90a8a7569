import './tables';
import { sql, type Insertable } from 'kysely';
import type { Channel } from '../../../platform/auth/roles';
import type { Tx } from '../../../platform/db/database';
import { publishAll } from '../../../platform/events/outbox';
import { AppError, conflict, notFound, unprocessable } from '../../../platform/http/errors';
import { rootsOf } from '../../customers/public';
import { customerRoots } from '../../customers/public';
import { newCouponCode } from './codes';
import type { TemplateRow } from './scope';
import type { CouponsTable } from './tables';
import { byteOrder } from '../../../platform/db/locks';

const DAY_MS = 86400_000;

export interface IssueInput {
  template_id: string;
  customer_id: string;
  via: 'issue' | 'claim' | 'tier' | 'referral' | 'journey';
  /** Scope the coupon to this SKU's lines (a journey's coupon for the SKU viewed). */
  scope_sku?: string;
  /** Usable at this store only (a journey's to-store coupon); within the template's locations when it has some. */
  scope_location?: string;
  channel?: Channel;
  now: Date;
  /** The request field naming the template, for errors (default `template_id`). */
  field?: string;
}

/** Why the template cannot hand out coupons now, or null. */
export function notClaimable(t: TemplateRow, now: Date): string | null {
  if (t.status !== 'active') return `coupon template ${t.id} is paused`;
  if (t.valid_to !== null && new Date(t.valid_to).getTime() <= now.getTime())
    return `coupon template ${t.id} ended at ${new Date(t.valid_to).toISOString()}`;
  return null;
}

/** The coupon's validity: the template's window, or valid_days_after_claim from now (within the window's end when both are set). */
export function validityAt(t: TemplateRow, now: Date): { valid_from: Date; valid_to: Date | null } {
  const windowFrom = t.valid_from ? new Date(t.valid_from) : now;
  const windowTo = t.valid_to ? new Date(t.valid_to) : null;
  if (t.valid_days_after_claim !== null) {
    const from = windowFrom.getTime() > now.getTime() ? windowFrom : now;
    const to = new Date(from.getTime() + t.valid_days_after_claim * DAY_MS);
    return { valid_from: from, valid_to: windowTo && windowTo < to ? windowTo : to };
  }
  return { valid_from: windowFrom, valid_to: windowTo };
}

/** One coupon of issueCoupons: to whom, and its scope. */
export type IssueItem = Pick<IssueInput, 'customer_id' | 'scope_sku' | 'scope_location'>;
export interface Issued {
  code: string;
  valid_from: string;
  valid_to: string | null;
  customer_id: string;
}

/**
 * Issues one coupon of a template to a customer, inside the caller's transaction (issueCoupons
 * for one). 422 coupon_template_not_claimable (unknown → 404), 409 coupon_limit_reached, 409
 * coupon_budget_exhausted.
 */
export async function issueCoupon(tx: Tx, input: IssueInput): Promise<Issued> {
  const [r] = await issueCoupons(tx, { ...input, items: [input] });
  if (r instanceof AppError) throw r;
  return r!;
}

/**
 * Issues one coupon of a template to each item's customer, inside the caller's transaction, and
 * answers, item by item, the coupon or why not (the error issueCoupon throws). The per-customer
 * limit is counted over the person's whole group under an advisory lock on (template, group
 * root), the keys taken in byte order in one statement; then the template's row is locked once
 * and its counter takes what the budget allows, so neither can be overrun by concurrent claims
 * in any number of processes. Items past the budget are refused in their order.
 */
export async function issueCoupons(
  tx: Tx,
  input: Omit<IssueInput, 'customer_id' | 'scope_sku' | 'scope_location'> & { items: IssueItem[] },
): Promise<(Issued | AppError)[]> {
  const field = input.field ?? 'template_id';
  const t = await tx.selectFrom('coupon_templates').selectAll().where('id', '=', input.template_id).executeTakeFirst();
  if (!t) return input.items.map(() => notFound('coupon template', field));
  const why = notClaimable(t, input.now);
  if (why) return input.items.map(() => unprocessable('coupon_template_not_claimable', why, field));
  const roots = await rootsOf(
    tx,
    input.items.map((i) => i.customer_id),
  );
  const out: (Issued | AppError | string)[] = input.items.map((item, i) => {
    if (item.scope_location !== undefined && t.locations !== null && !t.locations.includes(item.scope_location))
      return unprocessable(
        'coupon_wrong_location',
        `coupon template ${t.id} is for the stores ${t.locations.join(', ')} only, not ${item.scope_location}`,
        field,
      );
    return roots[i] ?? unprocessable('unknown_customer', `customer ${item.customer_id} does not exist`, 'customer');
  });
  const people = [...new Set(out.filter((x): x is string => typeof x === 'string'))].sort(byteOrder);
  if (people.length === 0) return out as (Issued | AppError)[];
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
    FROM unnest(${people.map((r) => `coupon:${t.id}:${r}`)}::text[]) AS k`.execute(tx);
  if (t.per_customer_limit !== null) {
    const limit = t.per_customer_limit;
    const had = new Map(
      (
        await sql<{ root: string; n: string }>`
          SELECT r.root, count(c.code) AS n FROM unnest(${people}::text[]) AS r(root)
          JOIN ${customerRoots} m ON m.root = r.root
          LEFT JOIN coupons c ON c.customer_id = m.id AND c.template_id = ${t.id} AND c.status <> 'void'
          GROUP BY r.root`.execute(tx)
      ).rows.map((x) => [x.root, Number(x.n)]),
    );
    out.forEach((root, i) => {
      if (typeof root !== 'string') return;
      const n = had.get(root) ?? 0;
      if (n >= limit)
        out[i] = conflict(
          'coupon_limit_reached',
          `this customer already has ${n} of coupon template ${t.id} (limit ${limit})`,
          'customer',
        );
      else had.set(root, n + 1);
    });
  }
  const wanted = out.filter((x) => typeof x === 'string').length;
  if (wanted === 0) return out as (Issued | AppError)[];
  const now = await sql<{ status: string; issued: number; budget: number | null }>`
    SELECT status, issued, budget FROM coupon_templates WHERE id = ${t.id} FOR UPDATE`.execute(tx);
  const cur = now.rows[0]!;
  const taken = cur.status !== 'active' ? 0 : Math.min(wanted, cur.budget === null ? wanted : cur.budget - cur.issued);
  if (taken > 0)
    await tx
      .updateTable('coupon_templates')
      .set((eb) => ({ issued: eb('issued', '+', taken) }))
      .where('id', '=', t.id)
      .execute();
  const { valid_from, valid_to } = validityAt(t, input.now);
  const rows: Insertable<CouponsTable>[] = [];
  let left = taken;
  out.forEach((root, i) => {
    if (typeof root !== 'string') return;
    if (left-- <= 0) {
      out[i] =
        cur.status !== 'active'
          ? unprocessable('coupon_template_not_claimable', `coupon template ${t.id} is paused`, field)
          : conflict('coupon_budget_exhausted', `all ${t.budget} coupons of template ${t.id} have been issued`, field);
      return;
    }
    const code = newCouponCode();
    rows.push({
      code,
      template_id: t.id,
      customer_id: root,
      via: input.via,
      channel: input.channel ?? null,
      issued_at: input.now,
      valid_from,
      valid_to,
      order_ref: null,
      redeemed_channel: null,
      redeemed_location_id: null,
      redeemed_amount: null,
      redeemed_at: null,
      scope_sku: input.items[i]!.scope_sku ?? null,
      scope_location: input.items[i]!.scope_location ?? null,
    });
    out[i] = {
      code,
      valid_from: valid_from.toISOString(),
      valid_to: valid_to?.toISOString() ?? null,
      customer_id: root,
    };
  });
  if (rows.length === 0) return out as (Issued | AppError)[];
  await tx.insertInto('coupons').values(rows).execute();
  await publishAll(
    tx,
    rows.map((c) => ({
      aggregateType: 'coupon',
      aggregateId: c.code,
      type: 'coupon.issued',
      payload: {
        code: c.code,
        template_id: t.id,
        customer_id: c.customer_id,
        via: input.via,
        channel: input.channel ?? null,
        valid_from: valid_from.toISOString(),
        valid_to: valid_to?.toISOString() ?? null,
      },
    })),
  );
  return out as (Issued | AppError)[];
}
