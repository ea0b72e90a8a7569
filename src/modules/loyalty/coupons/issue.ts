import './tables';
import { sql } from 'kysely';
import type { Channel } from '../../../platform/auth/roles';
import type { Tx } from '../../../platform/db/database';
import { publish } from '../../../platform/events/outbox';
import { conflict, notFound, unprocessable } from '../../../platform/http/errors';
import { groupIds, rootOf } from '../../customers/identity';
import { newCouponCode } from './codes';
import type { TemplateRow } from './scope';

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

/**
 * Issues one coupon of a template to a customer, inside the caller's transaction. The
 * per-customer limit is counted over the person's whole group under an advisory lock on
 * (template, group root); the budget is taken by one conditional UPDATE of the template's
 * counter, so neither can be overrun by concurrent claims in any number of processes.
 * 422 coupon_template_not_claimable (unknown → 404), 409 coupon_limit_reached, 409 coupon_budget_exhausted.
 */
export async function issueCoupon(
  tx: Tx,
  input: IssueInput,
): Promise<{ code: string; valid_from: string; valid_to: string | null; customer_id: string }> {
  const field = input.field ?? 'template_id';
  const t = await tx.selectFrom('coupon_templates').selectAll().where('id', '=', input.template_id).executeTakeFirst();
  if (!t) throw notFound('coupon template', field);
  const why = notClaimable(t, input.now);
  if (why) throw unprocessable('coupon_template_not_claimable', why, field);
  if (input.scope_location !== undefined && t.locations !== null && !t.locations.includes(input.scope_location))
    throw unprocessable(
      'coupon_wrong_location',
      `coupon template ${t.id} is for the stores ${t.locations.join(', ')} only, not ${input.scope_location}`,
      field,
    );
  const root = await rootOf(tx, input.customer_id);
  if (!root) throw unprocessable('unknown_customer', `customer ${input.customer_id} does not exist`, 'customer');

  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`coupon:${t.id}:${root}`}, 0))`.execute(tx);
  if (t.per_customer_limit !== null) {
    const members = await groupIds(tx, root);
    const had = await tx
      .selectFrom('coupons')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('template_id', '=', t.id)
      .where('customer_id', 'in', members)
      .where('status', '!=', 'void')
      .executeTakeFirstOrThrow();
    if (Number(had.n) >= t.per_customer_limit)
      throw conflict(
        'coupon_limit_reached',
        `this customer already has ${had.n} of coupon template ${t.id} (limit ${t.per_customer_limit})`,
        'customer',
      );
  }

  const taken = await tx
    .updateTable('coupon_templates')
    .set((eb) => ({ issued: eb('issued', '+', 1) }))
    .where('id', '=', t.id)
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('budget', 'is', null), eb('issued', '<', eb.ref('budget'))]))
    .returning(['issued', 'budget', 'status'])
    .executeTakeFirst();
  if (!taken) {
    const now = await tx
      .selectFrom('coupon_templates')
      .select(['status'])
      .where('id', '=', t.id)
      .executeTakeFirstOrThrow();
    if (now.status !== 'active')
      throw unprocessable('coupon_template_not_claimable', `coupon template ${t.id} is paused`, field);
    throw conflict('coupon_budget_exhausted', `all ${t.budget} coupons of template ${t.id} have been issued`, field);
  }

  const { valid_from, valid_to } = validityAt(t, input.now);
  const code = newCouponCode();
  await tx
    .insertInto('coupons')
    .values({
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
      scope_sku: input.scope_sku ?? null,
      scope_location: input.scope_location ?? null,
    })
    .execute();
  await publish(tx, {
    aggregateType: 'coupon',
    aggregateId: code,
    type: 'coupon.issued',
    payload: {
      code,
      template_id: t.id,
      customer_id: root,
      via: input.via,
      channel: input.channel ?? null,
      valid_from: valid_from.toISOString(),
      valid_to: valid_to?.toISOString() ?? null,
    },
  });
  return { code, valid_from: valid_from.toISOString(), valid_to: valid_to?.toISOString() ?? null, customer_id: root };
}
