import { Type } from '@sinclair/typebox';
import { transact } from '../../platform/db/transaction';
import { cacheable } from '../../platform/http/cache';
import { unprocessable } from '../../platform/http/errors';
import { rateLimit } from '../../platform/http/rate-limit';
import { Cursor, errors, FreeText, Id, Limit, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { findCustomer } from '../customers/public';
import { CustomerRefSchema } from '../orders/public';
import './erasure';
import { getShelfPageSettings, setShelfPageSettings } from './order-url';
import { listReviews, moderateReview, postReview, reviewSummary } from './service';

const Sku = Type.String({ minLength: 1, maxLength: 64 });
const STATUSES = ['pending', 'published', 'rejected'] as const;

const ReviewSchema = Type.Object({
  id: Type.String(),
  sku: Type.String(),
  order_id: Type.String(),
  customer_id: Type.String(),
  rating: Type.Integer(),
  text: Type.String(),
  status: StringEnum(STATUSES),
  created_at: Type.String(),
  moderated_at: Type.Union([Type.String(), Type.Null()]),
});

const SummarySchema = Type.Object({
  sku: Type.String(),
  average: Type.Union([Type.Number(), Type.Null()], { description: 'mean published rating, one decimal' }),
  count: Type.Integer(),
  stars: Type.Object({
    '1': Type.Integer(),
    '2': Type.Integer(),
    '3': Type.Integer(),
    '4': Type.Integer(),
    '5': Type.Integer(),
  }),
  items: Type.Array(
    Type.Object({ id: Type.String(), rating: Type.Integer(), text: Type.String(), created_at: Type.String() }),
  ),
});

const ShelfPageSettingsSchema = Type.Object({
  order_url: Type.String({
    description:
      'where the shelf-QR page’s “deliver to me” and “reserve for pickup” lead: the shop’s or mini-program’s URL, with {sku}, {store} and {fulfillment} (delivery | pickup) filled in per link',
  }),
  is_default: Type.Boolean({ description: 'true: none was set, the built-in /shop?… link is used' }),
});

/** Public reads per client address and minute (a shelf page is one request; a scraper is many). */
export const PUBLIC_PER_MINUTE = 120;

export const reviewRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  const limitSummary = rateLimit('product reviews', PUBLIC_PER_MINUTE);

  app.post(
    '/products/:sku/reviews',
    {
      config: { roles: ['admin', 'support', 'integration'] },
      schema: {
        tags: ['goods'],
        summary: 'A buyer reviews a product they bought (one review per order line), pending moderation',
        description:
          'Only the customer of a paid or completed order with this SKU may review it (422 not_a_buyer, field order_id); a second review of the same order line is 409 review_exists. The review is pending until a moderator publishes it. The text must not hold phone numbers or e-mail addresses.',
        params: Type.Object({ sku: Sku }),
        body: Type.Object(
          {
            customer: CustomerRefSchema,
            order_id: Id,
            rating: Type.Integer({ minimum: 1, maximum: 5 }),
            text: FreeText(2000, { minLength: 1 }),
          },
          {
            additionalProperties: false,
            examples: [
              {
                customer: { type: 'phone', value: '+8613800138000' },
                order_id: 'ord_01jeb2m9x4k7q3r8t5v6w2y9za',
                rating: 5,
                text: '奶香很浓，孩子很喜欢',
              },
            ],
          },
        ),
        response: { 201: ReviewSchema, ...errors(404, 409, 422) },
      },
    },
    async (req, reply) => {
      const root = await findCustomer(ctx.database, ctx.keys, req.body.customer);
      if (!root) throw unprocessable('unknown_customer', 'no customer with this identifier', 'customer');
      const review = await postReview(db, { sku: req.params.sku, root, ...req.body });
      return reply.code(201).send(review);
    },
  );

  app.get(
    '/products/:sku/reviews',
    {
      config: { roles: [], public: true },
      onRequest: limitSummary,
      schema: {
        tags: ['goods'],
        summary: 'Public review summary of a product: average, count per star, newest published reviews',
        description: `No key needed. Rate-limited per client address (${PUBLIC_PER_MINUTE} a minute, then 429 rate_limited with Retry-After); cacheable for a minute (ETag, If-None-Match → 304). A product without reviews has count 0; an unknown SKU is 404.`,
        security: [],
        params: Type.Object({ sku: Sku }),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })) }),
        response: { 200: SummarySchema, 304: Type.Null(), ...errors(404, 429) },
      },
    },
    async (req, reply) => {
      const summary = await reviewSummary(db, req.params.sku, req.query.limit ?? 10);
      return cacheable(req, reply, summary, JSON.stringify(summary), 'public, max-age=60');
    },
  );

  app.get(
    '/reviews',
    {
      config: { roles: ['admin', 'marketer', 'support'] },
      schema: {
        tags: ['goods'],
        summary: 'Reviews by moderation status (the moderation queue: pending oldest first, the others newest first)',
        querystring: Type.Object({
          status: StringEnum(STATUSES, { default: 'pending' }),
          sku: Type.Optional(Sku),
          limit: Limit,
          cursor: Cursor,
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Composite([ReviewSchema, Type.Object({ product_name: Type.Union([Type.String(), Type.Null()]) })]),
            ),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(),
        },
      },
    },
    async (req) =>
      listReviews(db, { ...req.query, status: req.query.status ?? 'pending', limit: req.query.limit ?? 50 }),
  );

  app.patch(
    '/reviews/:id',
    {
      config: { roles: ['admin', 'marketer', 'support'], idempotent: true },
      schema: {
        tags: ['goods'],
        summary: 'Moderate a review: publish it (shown on the product page) or reject it',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          { status: StringEnum(['published', 'rejected'] as const) },
          { additionalProperties: false, examples: [{ status: 'published' }] },
        ),
        response: { 200: ReviewSchema, ...errors(404) },
      },
    },
    async (req) => moderateReview(db, req.params.id, req.body.status, req.principal),
  );

  app.get(
    '/settings/shelf-page',
    {
      config: { roles: ['admin', 'marketer', 'support'] },
      schema: {
        tags: ['goods'],
        summary: 'The shelf-QR product page’s settings: where its order links lead',
        response: { 200: ShelfPageSettingsSchema, ...errors() },
      },
    },
    async () => getShelfPageSettings(db),
  );

  app.put(
    '/settings/shelf-page',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['goods'],
        summary: 'Set where the shelf-QR page’s order links lead (audited; null: the built-in link)',
        description:
          '422 invalid_order_url (field order_url) unless it is a path on this site or an http(s) address, without spaces or quotes, containing {sku}.',
        body: Type.Object(
          { order_url: Type.Union([Type.String({ minLength: 1, maxLength: 500 }), Type.Null()]) },
          {
            additionalProperties: false,
            examples: [{ order_url: 'https://m.example.com/item?sku={sku}&store={store}&mode={fulfillment}' }],
          },
        ),
        response: { 200: ShelfPageSettingsSchema, ...errors(422) },
      },
    },
    async (req) => transact(ctx.database, (tx) => setShelfPageSettings(tx, req.principal, req.body.order_url)),
  );
};
