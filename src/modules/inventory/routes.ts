import { Type } from '@sinclair/typebox';
import { ALL_ROLES, type Principal } from '../../platform/auth/roles';
import { publish } from '../../platform/events/outbox';
import { forbidden, notFound, unprocessable } from '../../platform/http/errors';
import { errors, Id, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import type { Queryable } from '../../platform/db/database';
import { getProduct } from '../catalog/public';
import { locationExists } from '../locations/public';
import { getLowStockPolicy, listLowStock, setLowStockPolicy } from './low-stock';
import { levelOf, listMovements, move, MOVEMENT_REASONS, setCount, stockOfSku } from './service';
import { transact } from '../../platform/db/transaction';

const Sku = Type.String({ minLength: 1, maxLength: 64 });
const Level = Type.Object({
  location_id: Type.String(),
  on_hand: Type.Integer(),
  reserved: Type.Integer(),
  safety_stock: Type.Integer(),
  available: Type.Integer(),
  online_available: Type.Integer(),
  in_transit: Type.Optional(
    Type.Integer({ description: 'shipped here by a transfer, not yet received (not in on_hand)' }),
  ),
});
const Qty = (o: { minimum?: number } = {}) => Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, ...o });
const writers = ['admin', 'store_staff', 'integration'] as const;

async function checkTarget(
  db: Queryable,
  principal: Principal,
  locationId: string,
  sku: string,
  fields = { location: 'location_id', sku: 'sku' },
) {
  if (principal.role === 'store_staff' && principal.locationId !== locationId)
    throw forbidden('store staff may only change their own store');
  if (!(await locationExists(db, locationId)))
    throw unprocessable('unknown_location', `location ${locationId} does not exist`, fields.location);
  if (!(await getProduct(db, sku))) throw unprocessable('unknown_sku', `no product ${sku}`, fields.sku);
}

export const inventoryRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.get(
    '/stock/low',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary: 'SKUs whose online stock is low in a region (promotions paused)',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                sku: Type.String(),
                region: Type.String(),
                online_available: Type.Integer(),
                threshold: Type.Integer(),
                since: Type.String(),
              }),
            ),
          }),
          ...errors(),
        },
      },
    },
    async () => ({ items: await listLowStock(db) }),
  );

  const PolicySchema = Type.Object(
    {
      threshold: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
      store_threshold: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: 1_000_000,
          description:
            'available units (on hand − reserved) at or below which any SKU is low at a location (GET /v1/stock/low/locations), unless the product has its own rule; absent: off',
        }),
      ),
      regions: Type.Array(
        Type.Object(
          {
            id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' }),
            lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
            lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
            radius_km: Type.Optional(Type.Number({ minimum: 0, maximum: 5000 })),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 100 },
      ),
    },
    {
      additionalProperties: false,
      examples: [{ threshold: 5, regions: [{ id: 'puxi', lat: 31.2231, lng: 121.4581, radius_km: 8 }, { id: 'all' }] }],
    },
  );
  app.get(
    '/stock/low-stock-policy',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary: 'The low-stock threshold and regions',
        response: { 200: PolicySchema, ...errors() },
      },
    },
    async () => getLowStockPolicy(db),
  );
  app.put(
    '/stock/low-stock-policy',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['goods'],
        summary: 'Threshold and regions (all stores, or stores within a radius) for low-stock protection',
        body: PolicySchema,
        response: { 200: PolicySchema, ...errors(422) },
      },
    },
    async (req) => {
      req.body.regions.forEach((r, i) => {
        const set = [r.lat, r.lng, r.radius_km].filter((v) => v !== undefined).length;
        if (set !== 0 && set !== 3)
          throw unprocessable(
            'invalid_region',
            'a region has lat, lng and radius_km together, or none (all stores)',
            `regions[${i}]`,
          );
      });
      await setLowStockPolicy(db, req.body);
      return req.body;
    },
  );

  app.get(
    '/stock/movements',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary: 'Stock movements (sales, receipts, counts, transfers...), newest first',
        querystring: Type.Object({
          location_id: Type.Optional(Id),
          sku: Type.Optional(Sku),
          cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                location_id: Type.String(),
                sku: Type.String(),
                product_name: Type.Union([Type.String(), Type.Null()]),
                delta: Type.Integer(),
                reason: Type.String(),
                ref: Type.Union([Type.String(), Type.Null()]),
                created_at: Type.String(),
              }),
            ),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(),
        },
      },
    },
    async (req) =>
      listMovements(db, {
        location_id: req.query.location_id,
        sku: req.query.sku,
        before: req.query.cursor,
        limit: req.query.limit ?? 50,
      }),
  );

  app.post(
    '/stock/movements',
    {
      config: { roles: writers, scope: 'stock' },
      schema: {
        tags: ['goods'],
        summary: 'Record a stock movement from a POS, WMS or store (takes Idempotency-Key)',
        body: Type.Object(
          {
            location_id: Id,
            sku: Sku,
            delta: Qty(),
            reason: StringEnum(MOVEMENT_REASONS),
            ref: Type.Optional(Type.String({ maxLength: 200 })),
          },
          {
            additionalProperties: false,
            examples: [
              { location_id: 'st-renmin', sku: 'SKU00042', delta: 24, reason: 'receipt', ref: 'PO-2026-0815' },
            ],
          },
        ),
        response: { 201: Level, ...errors(422) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.delta === 0) throw unprocessable('zero_delta', 'delta must not be 0', 'delta');
      await checkTarget(db, req.principal, b.location_id, b.sku);
      const level = await transact(db, async (tx) => {
        await move(tx, {
          location_id: b.location_id,
          sku: b.sku,
          delta: b.delta,
          reason: b.reason,
          ref: b.ref ?? null,
        });
        const row = await tx
          .selectFrom('stock')
          .select(['location_id', 'on_hand', 'reserved', 'safety_stock'])
          .where('location_id', '=', b.location_id)
          .where('sku', '=', b.sku)
          .executeTakeFirstOrThrow();
        await publish(tx, {
          aggregateType: 'stock',
          aggregateId: `${b.location_id}:${b.sku}`,
          type: 'stock.moved',
          payload: {
            location_id: b.location_id,
            sku: b.sku,
            delta: b.delta,
            reason: b.reason,
            on_hand: row.on_hand,
            skus: [b.sku],
          },
        });
        return levelOf(row);
      });
      return reply.code(201).send(level);
    },
  );

  app.put(
    '/stock/:location_id/:sku',
    {
      config: { roles: writers, scope: 'stock', acts: { kind: 'location', param: 'location_id' } },
      schema: {
        tags: ['goods'],
        summary: 'Stock count: set on hand (and safety stock, the part kept back from online sale)',
        params: Type.Object({ location_id: Id, sku: Sku }),
        body: Type.Object(
          {
            on_hand: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
            safety_stock: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
          },
          { additionalProperties: false, examples: [{ on_hand: 36, safety_stock: 4 }] },
        ),
        response: { 200: Level, ...errors(422) },
      },
    },
    async (req) => {
      const { location_id, sku } = req.params;
      await checkTarget(db, req.principal, location_id, sku, { location: 'location_id', sku: 'sku' });
      return transact(db, async (tx) => {
        const level = await setCount(tx, location_id, sku, req.body.on_hand, req.body.safety_stock);
        await publish(tx, {
          aggregateType: 'stock',
          aggregateId: `${location_id}:${sku}`,
          type: 'stock.counted',
          payload: { location_id, sku, on_hand: level.on_hand, safety_stock: level.safety_stock, skus: [sku] },
        });
        return level;
      });
    },
  );

  app.get(
    '/stock/:sku',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary: 'Stock of one SKU in every location',
        params: Type.Object({ sku: Sku }),
        response: {
          200: Type.Object({
            sku: Type.String(),
            locations: Type.Array(Level),
            totals: Type.Object({
              on_hand: Type.Integer(),
              reserved: Type.Integer(),
              available: Type.Integer(),
              online_available: Type.Integer(),
            }),
          }),
          ...errors(404),
        },
      },
    },
    async (req) => {
      if (!(await getProduct(db, req.params.sku))) throw notFound('product', 'sku');
      return stockOfSku(db, req.params.sku);
    },
  );
};
