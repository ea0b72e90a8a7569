import './timeline-source';
import { Type } from '@sinclair/typebox';
import { CHANNELS, type Channel, type Principal } from '../../../platform/auth/roles';
import { forbidden, notFound, unprocessable } from '../../../platform/http/errors';
import { decodeCursor, encodeCursor } from '../../../platform/http/pagination';
import { Cursor, errors, Id, Limit, StringEnum } from '../../../platform/http/schemas';
import type { ModuleRoutes } from '../../../platform/http/types';
import type { AppContext } from '../../../platform/http/context';
import { resolveCustomer, type CustomerRef } from '../../customers/public';
import { locationExists } from '../../locations/public';
import { formatCouponCode } from './codes';
import { issueCoupon } from './issue';
import { readCoupon, listCoupons } from './read';
import { orderOfRedemption, redeemCode } from './redeem';
import {
  ClaimBody,
  CodeParam,
  CouponSchema,
  IssueBody,
  IssuedSchema,
  RedeemBody,
  RedeemedSchema,
  TemplateBody,
  TemplatePatch,
  TemplateSchema,
} from './schemas';
import { createTemplate, listTemplates, readTemplate, updateTemplate } from './templates';
import { assertOwnChannel } from '../../../platform/auth/channel';
import { transact } from '../../../platform/db/transaction';

const marketing = ['admin', 'marketer'] as const;
const templateReaders = ['admin', 'marketer', 'analyst', 'support'] as const;
const CLAIM_CHANNELS: readonly Channel[] = ['app', 'mini_program', 'web'];
const IdParams = Type.Object({ id: Id });

async function issueTo(
  ctx: AppContext,
  principal: Principal,
  input: { template_id: string; customer: CustomerRef; via: 'issue' | 'claim'; channel: Channel | null },
) {
  const customerId = await resolveCustomer(
    ctx.database,
    ctx.keys,
    input.customer,
    input.channel ?? principal.channel ?? 'app',
    principal,
    'customer',
  );
  const r = await transact(ctx.database.db, (tx) =>
    issueCoupon(tx, {
      template_id: input.template_id,
      customer_id: customerId,
      via: input.via,
      ...(input.channel ? { channel: input.channel } : {}),
      now: new Date(),
    }),
  );
  return {
    code: r.code,
    display: formatCouponCode(r.code),
    template_id: input.template_id,
    customer_id: r.customer_id,
    valid_from: r.valid_from,
    valid_to: r.valid_to,
  };
}

export const couponRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.post(
    '/coupon-templates',
    {
      config: { roles: marketing },
      schema: {
        tags: ['loyalty'],
        summary: 'Create a coupon template (amount_off, percent_off, threshold 满减, free_delivery, gift)',
        description:
          'channels takes single channels and the groups online (every channel but pos) and store (pos), stored expanded. Validity: valid_from/valid_to, or valid_days_after_claim (both: days from claim, ending no later than valid_to).',
        body: TemplateBody,
        response: { 201: TemplateSchema, ...errors(422) },
      },
    },
    async (req, reply) => {
      const t = await createTemplate(db, req.body);
      return reply.code(201).send((await readTemplate(db, t.id))!);
    },
  );

  app.get(
    '/coupon-templates',
    {
      config: { roles: templateReaders },
      schema: {
        tags: ['loyalty'],
        summary: 'Coupon templates, newest first, with issued, budget, redeemed and redemptions by channel',
        querystring: Type.Object({
          status: Type.Optional(StringEnum(['active', 'paused'] as const)),
          cursor: Cursor,
          limit: Limit,
        }),
        response: {
          200: Type.Object({
            items: Type.Array(TemplateSchema),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(),
        },
      },
    },
    async (req) => {
      const c = decodeCursor(req.query.cursor, 1);
      if (c && typeof c[0] !== 'string') throw unprocessable('invalid_cursor', 'cursor is not valid', 'cursor');
      const r = await listTemplates(db, {
        status: req.query.status,
        after: c ? (c[0] as string) : undefined,
        limit: req.query.limit ?? 50,
      });
      return { items: r.items, next_cursor: r.more && r.last ? encodeCursor([r.last]) : null };
    },
  );

  app.get(
    '/coupon-templates/:id',
    {
      config: { roles: templateReaders },
      schema: {
        tags: ['loyalty'],
        summary: 'One coupon template with its budget used and redemptions',
        params: IdParams,
        response: { 200: TemplateSchema, ...errors(404) },
      },
    },
    async (req) => {
      const t = await readTemplate(db, req.params.id);
      if (!t) throw notFound('coupon template', 'id');
      return t;
    },
  );

  app.patch(
    '/coupon-templates/:id',
    {
      config: { roles: marketing, idempotent: true },
      schema: {
        tags: ['loyalty'],
        summary: 'Rename, raise or lower the budget (not below issued), end earlier or later, pause or resume',
        params: IdParams,
        body: TemplatePatch,
        response: { 200: TemplateSchema, ...errors(404, 422) },
      },
    },
    async (req) => {
      await updateTemplate(db, req.params.id, req.body);
      return (await readTemplate(db, req.params.id))!;
    },
  );

  app.post(
    '/coupons/issue',
    {
      config: { roles: ['admin', 'marketer', 'integration'], scope: 'coupons:issue' },
      schema: {
        tags: ['loyalty'],
        summary: 'Issue a coupon to a customer (marketing, journeys)',
        description:
          '409 coupon_budget_exhausted, 409 coupon_limit_reached (per customer, over merged profiles), 422 coupon_template_not_claimable (paused or ended).',
        body: IssueBody,
        response: { 201: IssuedSchema, ...errors(404, 409, 422) },
      },
    },
    async (req, reply) =>
      reply.code(201).send(
        await issueTo(ctx, req.principal, {
          template_id: req.body.template_id,
          customer: req.body.customer,
          via: 'issue',
          channel: req.principal.channel,
        }),
      ),
  );

  app.post(
    '/coupons/claim',
    {
      config: { roles: ['admin', 'integration'], scope: 'coupons:claim' },
      schema: {
        tags: ['loyalty'],
        summary: 'The customer claims a coupon in the app, mini-program or web shop',
        description:
          "Integration keys of app, mini_program or web; channel defaults to the key's. Same limits and errors as issue.",
        body: ClaimBody,
        response: { 201: IssuedSchema, ...errors(404, 409, 422) },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      let channel: Channel | null = req.body.channel ?? null;
      if (p.role === 'integration') {
        if (!p.channel || !CLAIM_CHANNELS.includes(p.channel))
          throw forbidden('customers claim coupons in the app, mini-program or web shop');
        if (channel && channel !== p.channel) throw forbidden(`this key claims for channel ${p.channel} only`);
        channel = p.channel;
      }
      if (channel && !CLAIM_CHANNELS.includes(channel))
        throw unprocessable('invalid_channel', 'customers claim coupons in app, mini_program or web', 'channel');
      return reply.code(201).send(
        await issueTo(ctx, p, {
          template_id: req.body.template_id,
          customer: req.body.customer,
          via: 'claim',
          channel,
        }),
      );
    },
  );

  app.get(
    '/coupons',
    {
      config: { roles: ['admin', 'support', 'store_staff', 'marketer'] },
      schema: {
        tags: ['loyalty'],
        summary: "A customer's coupons (every id of the merged person), newest first",
        querystring: Type.Object({
          customer_id: Id,
          status: Type.Optional(StringEnum(['issued', 'redeemed', 'expired', 'void'] as const)),
          cursor: Cursor,
          limit: Limit,
        }),
        response: {
          200: Type.Object({ items: Type.Array(CouponSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors(404),
        },
      },
    },
    async (req) => {
      const r = await listCoupons(db, {
        customer_id: req.query.customer_id,
        status: req.query.status,
        cursor: req.query.cursor,
        limit: req.query.limit ?? 50,
      });
      if (!r) throw notFound('customer', 'customer_id');
      return r;
    },
  );

  app.get(
    '/coupons/:code',
    {
      config: { roles: ['admin', 'support', 'store_staff', 'integration', 'marketer'], scope: 'loyalty:read' },
      schema: {
        tags: ['loyalty'],
        summary: 'Validate a code for a till: status, template, validity, owner, and whether it is usable now here',
        description:
          "A mistyped code (check symbol) is 422 naming code, before any lookup; unknown is 404. channel/location_id default to the key's (store staff: pos at their store).",
        params: CodeParam,
        querystring: Type.Object({ channel: Type.Optional(StringEnum(CHANNELS)), location_id: Type.Optional(Id) }),
        response: { 200: CouponSchema, ...errors(404, 422) },
      },
    },
    async (req) => {
      const p = req.principal;
      const channel = req.query.channel ?? p.channel ?? (p.role === 'store_staff' ? 'pos' : null);
      const location = req.query.location_id ?? (p.role === 'store_staff' ? p.locationId : null);
      return readCoupon(db, req.params.code, channel, location, new Date());
    },
  );

  app.post(
    '/coupons/:code/redeem',
    {
      config: { roles: ['admin', 'store_staff', 'integration'], scope: 'loyalty:redeem' },
      schema: {
        tags: ['loyalty'],
        summary: 'Redeem a code from an external POS or channel, exactly once',
        description:
          'amount: the fen the coupon took off. A code redeemed already (also concurrently, from any process) is 409 coupon_already_redeemed; out of its validity, channel or stores is 422 naming the field. ' +
          "Integration keys redeem for an order of their channel: order_ref is its id (422 order_required otherwise) and the coupon must be the order's customer's (422 coupon_not_yours). " +
          'Store staff redeem at their own till: channel pos, their store, order_ref the POS document.',
        params: CodeParam,
        body: RedeemBody,
        response: { 200: RedeemedSchema, ...errors(404, 409, 422) },
      },
    },
    async (req) => {
      const p = req.principal;
      const b = req.body;
      assertOwnChannel(p, b.channel, 'redeems');
      const forOrder = await orderOfRedemption(db, p, b.order_ref);
      let location = b.location_id ?? null;
      if (p.role === 'store_staff') {
        if (b.channel !== 'pos') throw forbidden('store staff redeem at their till: channel pos');
        if (location !== null && location !== p.locationId)
          throw forbidden('store staff may only redeem at their own store');
        location = p.locationId;
      }
      if (location !== null && !(await locationExists(db, location))) {
        throw unprocessable('unknown_location', `location ${location} does not exist`, 'location_id');
      }
      const now = new Date();
      return transact(db, (tx) =>
        redeemCode(
          tx,
          req.params.code,
          { order_ref: b.order_ref, channel: b.channel, location_id: location, amount: b.amount, forOrder },
          now,
        ),
      );
    },
  );
};
