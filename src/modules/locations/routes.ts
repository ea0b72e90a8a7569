import { Type } from '@sinclair/typebox';
import { audit } from '../../platform/audit/audit';
import { ALL_ROLES } from '../../platform/auth/roles';
import { transact } from '../../platform/db/transaction';
import { notFound, unprocessable } from '../../platform/http/errors';
import { errors, Id, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { newId } from '../../platform/ids';
import { forgetLocations } from './cache';
import { nearbyStores } from './nearby';
import { LocationSchema } from './schemas';
import { getLocation, listLocations, patchLocation, upsertLocation } from './service';
import { DAY_NAMES } from '../routing/geo';

const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' });
const OpeningHoursBody = Type.Union([
  Type.Object(
    Object.fromEntries(DAY_NAMES.map((d) => [d, Type.Optional(Type.Array(Type.Tuple([HHMM, HHMM]), { maxItems: 4 }))])),
    { additionalProperties: false },
  ),
  Type.Null(),
]);
const DeliveryKm = Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()]);
const LocationBody = Type.Object(
  {
    id: Type.Optional(Id),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: StringEnum(['dc', 'store', 'dark_store'] as const),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    address: Type.Optional(Type.String({ maxLength: 500 })),
    opening_hours: Type.Optional(OpeningHoursBody),
    capabilities: Type.Object(
      {
        ship: Type.Boolean(),
        pickup: Type.Boolean(),
        local_delivery_km: DeliveryKm,
      },
      { additionalProperties: false },
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        id: 'st-hongqiao',
        name: '虹桥店 Hongqiao',
        type: 'store',
        lat: 31.1979,
        lng: 121.3361,
        address: '闵行区申长路',
        opening_hours: { mon: [['10:00', '22:00']], sat: [['09:00', '23:00']] },
        capabilities: { ship: true, pickup: true, local_delivery_km: 3 },
      },
    ],
  },
);

const LocationPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    opening_hours: Type.Optional(OpeningHoursBody),
    capabilities: Type.Optional(
      Type.Object(
        {
          ship: Type.Optional(Type.Boolean()),
          pickup: Type.Optional(Type.Boolean()),
          local_delivery_km: Type.Optional(DeliveryKm),
        },
        { additionalProperties: false, minProperties: 1 },
      ),
    ),
    status: Type.Optional(StringEnum(['active', 'closed'] as const)),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [
      { name: '虹桥店', opening_hours: { mon: [['09:00', '21:00']] }, capabilities: { local_delivery_km: 5 } },
      { status: 'closed' },
    ],
  },
);

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const locationRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.post(
    '/locations',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['goods'],
        summary: 'Create (or, with an existing id, update) a DC, store or dark store',
        body: LocationBody,
        response: { 201: LocationSchema, 200: LocationSchema, ...errors(422) },
      },
    },
    async (req, reply) => {
      if (req.body.timezone && !validTimezone(req.body.timezone))
        throw unprocessable('invalid_timezone', `${req.body.timezone} is not an IANA time zone`, 'timezone');
      const { location, created } = await transact(db, async (tx) => {
        const r = await upsertLocation(tx, req.body.id ?? newId('loc'), req.body);
        await audit(tx, req.principal, {
          action: r.created ? 'location.created' : 'location.updated',
          subject: r.location.id,
          details: { fields: Object.keys(req.body).filter((k) => k !== 'id') },
        });
        return r;
      });
      forgetLocations(db);
      return reply.code(created ? 201 : 200).send(location);
    },
  );

  app.patch(
    '/locations/:id',
    {
      config: { roles: ['admin'], idempotent: true },
      schema: {
        tags: ['goods'],
        summary: 'Edit a location: name, opening hours, capabilities, delivery radius; close or reopen it',
        description:
          'Only the fields given change. A closed location takes no new orders (422 location_closed, field fulfillment.location_id); routing and nearby search skip it.',
        params: Type.Object({ id: Id }),
        body: LocationPatchBody,
        response: { 200: LocationSchema, ...errors(404, 422) },
      },
    },
    async (req) => {
      const loc = await transact(db, async (tx) => {
        const row = await patchLocation(tx, req.params.id, req.body);
        if (row)
          await audit(tx, req.principal, {
            action: req.body.status === 'closed' ? 'location.closed' : 'location.updated',
            subject: row.id,
            details: { fields: Object.keys(req.body), status: row.status },
          });
        return row;
      });
      if (!loc) throw notFound('location', 'id');
      forgetLocations(db);
      return loc;
    },
  );

  app.get(
    '/locations',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary: 'DC, stores and dark stores',
        response: { 200: Type.Object({ items: Type.Array(LocationSchema) }), ...errors() },
      },
    },
    async () => ({ items: await listLocations(db) }),
  );

  app.get(
    '/locations/nearby',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary: 'Stores within a radius, nearest first, with online-available stock of a SKU',
        querystring: Type.Object({
          lat: Type.Number({ minimum: -90, maximum: 90 }),
          lng: Type.Number({ minimum: -180, maximum: 180 }),
          radius_km: Type.Number({ minimum: 0, maximum: 500, default: 3 }),
          sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          qty: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                location_id: Type.String(),
                type: Type.String(),
                distance_km: Type.Number(),
                online_available: Type.Optional(Type.Integer()),
              }),
            ),
          }),
          ...errors(),
        },
      },
    },
    async (req) => {
      if (req.query.qty !== undefined && !req.query.sku) throw unprocessable('sku_required', 'qty needs a sku', 'qty');
      return { items: await nearbyStores(db, { ...req.query, radius_km: req.query.radius_km ?? 3 }) };
    },
  );

  app.get(
    '/locations/:id',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary: 'One location: DC, store or dark store',
        params: Type.Object({ id: Id }),
        response: { 200: LocationSchema, ...errors(404) },
      },
    },
    async (req) => {
      const loc = await getLocation(db, req.params.id);
      if (!loc) throw notFound('location', 'id');
      return loc;
    },
  );
};
