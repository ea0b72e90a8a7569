/** Stock per store and low stock per location (issue 16): reads, and the per-product low-stock rules. */
import { Type } from '@sinclair/typebox';
import { ALL_ROLES } from '../../platform/auth/roles';
import { notFound, unprocessable } from '../../platform/http/errors';
import { Cursor, errors, Id, Limit, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { getProduct } from '../catalog/public';
import { locationExists } from '../locations/public';
import { deleteLowStockRule, listLowLevels, listLowStockRules, LOW_RULES, setLowStockRule } from './low-levels';
import { onHandTotals, STORE_STOCK_SORTS, storeStock } from './store-stock';

const Sku = Type.String({ minLength: 1, maxLength: 64 });
const Search = Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'part of the name or SKU' }));

const StoreStockRow = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  on_hand: Type.Integer(),
  reserved: Type.Integer({ description: 'held for unpaid and unfulfilled online orders' }),
  safety_stock: Type.Integer({ description: 'kept back from online sale' }),
  available: Type.Integer({ description: 'on_hand − reserved' }),
  online_available: Type.Integer({ description: 'max(0, on_hand − reserved − safety_stock)' }),
  in_transit: Type.Integer({ description: 'shipped here by a transfer, not yet received (not in on_hand)' }),
  sales_7d: Type.Integer({
    description: 'units sold at this store (orders located here, paid or completed) in the last 7 days',
  }),
});

const LowLevel = Type.Object({
  location_id: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  on_hand: Type.Integer(),
  reserved: Type.Integer(),
  available: Type.Integer({ description: 'on_hand − reserved: what the rules compare' }),
  safety_stock: Type.Integer(),
  threshold: Type.Union([Type.Integer(), Type.Null()], {
    description: "the product's own threshold, else the policy's store_threshold; null when neither is set",
  }),
  rules: Type.Array(StringEnum(LOW_RULES), {
    description:
      'which rules fired: safety_stock (available ≤ safety stock > 0), product_rule (available ≤ the product threshold), store_threshold (no product rule; available ≤ the policy store_threshold)',
  }),
});

const RuleSchema = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  threshold: Type.Integer(),
  updated_at: Type.String(),
});
const Threshold = Type.Integer({ minimum: 0, maximum: 1_000_000 });
const RuleOut = Type.Object({ sku: Type.String(), threshold: Type.Integer() });

export const storeStockRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.get(
    '/locations/:id/stock',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary: "Every SKU at one location: on hand, reserved, safety, online-available and the last 7 days' sales",
        params: Type.Object({ id: Id }),
        querystring: Type.Object(
          {
            q: Search,
            sort: Type.Optional(StringEnum(STORE_STOCK_SORTS, { default: 'sku' })),
            order: Type.Optional(StringEnum(['asc', 'desc'] as const, { default: 'asc' })),
            cursor: Cursor,
            limit: Limit,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            location_id: Type.String(),
            matches: Type.Integer({ description: 'rows the search finds (0 on a page past the last)' }),
            items: Type.Array(StoreStockRow),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(404),
        },
      },
    },
    async (req) => {
      if (!(await locationExists(db, req.params.id))) throw notFound('location', 'id');
      const q = req.query;
      const r = await storeStock(db, req.params.id, {
        q: q.q,
        sort: q.sort ?? 'sku',
        order: q.order ?? 'asc',
        cursor: q.cursor,
        limit: q.limit ?? 50,
      });
      return { location_id: req.params.id, ...r };
    },
  );

  app.get(
    '/stock/totals',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary: 'Units on hand of these SKUs over every location (a product list page)',
        querystring: Type.Object(
          {
            skus: Type.String({
              minLength: 1,
              maxLength: 13_000,
              pattern: '^[^,]{1,64}(,[^,]{1,64}){0,199}$',
              description: 'up to 200 SKUs, comma-separated',
              examples: ['SKU00001,SKU00002'],
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ sku: Type.String(), on_hand: Type.Integer() }), {
              description: 'one per SKU asked, 0 where none is held',
            }),
          }),
          ...errors(),
        },
      },
    },
    async (req) => {
      const skus = [...new Set(req.query.skus.split(','))];
      const totals = await onHandTotals(db, skus);
      return { items: skus.map((sku) => ({ sku, on_hand: totals.get(sku) ?? 0 })) };
    },
  );

  app.get(
    '/stock/low/locations',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary:
          'Every SKU × location at or below its safety stock or a low-stock threshold, with the rules that fired',
        querystring: Type.Object(
          {
            location_id: Type.Optional(Id),
            rule: Type.Optional(StringEnum(LOW_RULES)),
            q: Search,
            cursor: Cursor,
            limit: Limit,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(LowLevel), next_cursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors(),
        },
      },
    },
    async (req) => listLowLevels(db, { ...req.query, limit: req.query.limit ?? 50 }),
  );

  app.get(
    '/stock/low-stock-rules',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary: "Products' own low-stock thresholds",
        response: { 200: Type.Object({ items: Type.Array(RuleSchema) }), ...errors() },
      },
    },
    async () => ({ items: await listLowStockRules(db) }),
  );

  app.put(
    '/stock/low-stock-rules/:sku',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['goods'],
        summary:
          "Set a product's low-stock threshold (available units at any location); it replaces the store threshold",
        params: Type.Object({ sku: Sku }),
        body: Type.Object({ threshold: Threshold }, { additionalProperties: false, examples: [{ threshold: 10 }] }),
        response: { 200: RuleOut, ...errors(422) },
      },
    },
    async (req) => {
      if (!(await getProduct(db, req.params.sku)))
        throw unprocessable('unknown_sku', `no product ${req.params.sku}`, 'sku');
      await setLowStockRule(db, req.params.sku, req.body.threshold);
      return { sku: req.params.sku, threshold: req.body.threshold };
    },
  );

  app.delete(
    '/stock/low-stock-rules/:sku',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['goods'],
        summary: "Remove a product's low-stock threshold (the store threshold applies again); answers the removed rule",
        params: Type.Object({ sku: Sku }),
        response: { 200: RuleOut, ...errors(404) },
      },
    },
    async (req) => ({ sku: req.params.sku, threshold: await deleteLowStockRule(db, req.params.sku) }),
  );
};
