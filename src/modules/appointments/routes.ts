import { Type } from '@sinclair/typebox';
import { transact } from '../../platform/db/transaction';
import { notFound, unprocessable } from '../../platform/http/errors';
import { Day, errors, Id } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { CustomerRefSchema } from '../orders/public';
import { resolveCustomer } from '../customers/public';
import { book, checkStore, finish, readAppointment, reschedule } from './booking';
import { calendar } from './calendar';
import { recordFootfall } from './footfall';
import { replaceServices, servicesOf } from './services';
import { APPOINTMENT_STATUSES } from './tables';

const Instant = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description });
const ServiceSchema = Type.Object(
  {
    code: Id,
    name: Type.String({ minLength: 1, maxLength: 100, description: 'as customers and staff read it, e.g. 空调清洗' }),
    duration_minutes: Type.Integer({ minimum: 5, maximum: 1440 }),
    capacity: Type.Integer({
      minimum: 1,
      maximum: 1000,
      description: 'how many appointments of this service may overlap at once (technicians, chairs)',
    }),
  },
  { additionalProperties: false },
);
const ServicesSchema = Type.Object({ location_id: Type.String(), services: Type.Array(ServiceSchema) });
const AppointmentFields = {
  id: Type.String(),
  customer_id: Type.String(),
  location_id: Type.String(),
  service: Type.String({ description: 'the service code' }),
  starts_at: Type.String(),
  ends_at: Type.String({ description: 'starts_at + the service’s duration' }),
  status: Type.Union(APPOINTMENT_STATUSES.map((s) => Type.Literal(s))),
  order_id: Type.Union([Type.String(), Type.Null()]),
  booked_at: Type.String(),
  completed_at: Type.Union([Type.String(), Type.Null()]),
  cancelled_at: Type.Union([Type.String(), Type.Null()]),
};
const AppointmentSchema = Type.Object(AppointmentFields);
const FootfallSchema = Type.Object({
  location_id: Type.String(),
  from: Type.String(),
  to: Type.String(),
  count: Type.Integer(),
  source: Type.String(),
  replaced: Type.Boolean({
    description: 'true: this (store, from, to, source) was counted before and its count replaced',
  }),
});
const IdParams = Type.Object({ id: Id });
const STAFF = ['admin', 'support', 'store_staff'] as const;
const STAFF_NOTE = ' Store staff: their own store’s appointments only (another’s is 403).';

export const appointmentRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  const tz = ctx.config.timezone;

  app.get(
    '/locations/:id/services',
    {
      config: { roles: ['admin', 'support', 'store_staff', 'marketer', 'integration'] },
      schema: {
        tags: ['appointments'],
        summary: 'The services a store offers by appointment',
        params: IdParams,
        response: { 200: ServicesSchema, ...errors(404) },
      },
    },
    async (req) => {
      if (!(await ctx.locationExists(db, req.params.id))) throw notFound('location', 'id');
      return { location_id: req.params.id, services: await servicesOf(db, req.params.id) };
    },
  );

  app.put(
    '/locations/:id/services',
    {
      config: { roles: ['admin', 'store_staff'], acts: { kind: 'location', param: 'id' } },
      schema: {
        tags: ['appointments'],
        summary: 'Set the services a store offers by appointment, with their duration and capacity',
        description:
          'The listed services become the store’s active ones; a service left out is deactivated (its appointments stay). Store staff: their own store only.',
        params: IdParams,
        body: Type.Object(
          { services: Type.Array(ServiceSchema, { maxItems: 50 }) },
          {
            additionalProperties: false,
            examples: [{ services: [{ code: 'ac-cleaning', name: '空调清洗', duration_minutes: 90, capacity: 2 }] }],
          },
        ),
        response: { 200: ServicesSchema, ...errors(404, 422) },
      },
    },
    async (req) => {
      const id = req.params.id;
      if (!(await ctx.locationExists(db, id))) throw notFound('location', 'id');
      const codes = req.body.services.map((s) => s.code);
      const dup = codes.findIndex((c, i) => codes.indexOf(c) !== i);
      if (dup >= 0) throw unprocessable('duplicate_service', 'a service code is listed twice', `services[${dup}].code`);
      await transact(ctx.database, (tx) => replaceServices(tx, id, req.body.services));
      return { location_id: id, services: await servicesOf(db, id) };
    },
  );

  app.post(
    '/appointments',
    {
      config: { roles: [...STAFF], idempotent: true },
      schema: {
        tags: ['appointments'],
        summary: 'Book a customer’s appointment for a store’s service (takes Idempotency-Key)',
        description:
          '409 slot_full when `capacity` booked appointments of the service already overlap the time; 422 unknown_service, appointment_in_past, outside_opening_hours (the service must start and end within the store’s opening hours, field starts_at), unknown_order, order_of_another_customer. Publishes appointment.booked (journeys can trigger on it).' +
          STAFF_NOTE,
        body: Type.Object(
          {
            customer: CustomerRefSchema,
            location_id: Id,
            service: Id,
            starts_at: Instant('when the service starts'),
            order_id: Type.Optional(Id),
          },
          {
            additionalProperties: false,
            examples: [
              {
                customer: { type: 'phone', value: '+8613800138000' },
                location_id: 'store-huangpu',
                service: 'ac-cleaning',
                starts_at: '2026-12-12T02:00:00Z',
              },
            ],
          },
        ),
        response: { 201: AppointmentSchema, ...errors(403, 409, 422) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      checkStore(req.principal, b.location_id); // before the customer is resolved (which may create one)
      const customerId = await resolveCustomer(ctx.database, ctx.keys, b.customer, 'pos', req.principal);
      const a = await book(ctx.database, req.principal, {
        customerId,
        location: b.location_id,
        service: b.service,
        startsAt: new Date(b.starts_at),
        orderId: b.order_id ?? null,
      });
      return reply.code(201).send(a);
    },
  );

  app.get(
    '/appointments/:id',
    {
      config: { roles: [...STAFF] },
      schema: {
        tags: ['appointments'],
        summary: 'One appointment',
        description: STAFF_NOTE.trim(),
        params: IdParams,
        response: { 200: AppointmentSchema, ...errors(403, 404) },
      },
    },
    async (req) => {
      const a = await readAppointment(db, req.params.id);
      if (!a) throw notFound('appointment', 'id');
      checkStore(req.principal, a.location_id);
      return a;
    },
  );

  app.post(
    '/appointments/:id/reschedule',
    {
      config: { roles: [...STAFF] },
      schema: {
        tags: ['appointments'],
        summary: 'Move a booked appointment to another time',
        description:
          '409 slot_full, 409 appointment_not_booked (completed or cancelled), 422 outside_opening_hours (field starts_at).' +
          STAFF_NOTE,
        params: IdParams,
        body: Type.Object(
          { starts_at: Instant('the new start') },
          { additionalProperties: false, examples: [{ starts_at: '2026-12-13T06:00:00Z' }] },
        ),
        response: { 200: AppointmentSchema, ...errors(403, 404, 409, 422) },
      },
    },
    async (req) => reschedule(ctx.database, req.principal, req.params.id, new Date(req.body.starts_at)),
  );

  for (const [action, to, summary] of [
    ['cancel', 'cancelled', 'Cancel a booked appointment'],
    ['complete', 'completed', 'Mark a booked appointment done (publishes appointment.completed)'],
  ] as const)
    app.post(
      `/appointments/:id/${action}`,
      {
        config: { roles: [...STAFF] },
        schema: {
          tags: ['appointments'],
          summary,
          description: '409 appointment_not_booked when it is already completed or cancelled.' + STAFF_NOTE,
          params: IdParams,
          response: { 200: AppointmentSchema, ...errors(403, 404, 409) },
        },
      },
      async (req) => finish(ctx.database, req.principal, req.params.id, to),
    );

  app.get(
    '/locations/:id/appointments',
    {
      config: {
        roles: ['admin', 'support', 'store_staff', 'marketer', 'analyst'],
        acts: { kind: 'location', param: 'id' },
      },
      schema: {
        tags: ['appointments'],
        summary: 'A store’s appointments day by day (its day or week view)',
        description:
          'Appointments starting on `days` days from `from` (the retailer’s time zone), cancelled ones included, by start; customer names masked for store staff and support. Store staff: their own store only.',
        params: IdParams,
        querystring: Type.Object({
          from: Day('the first day'),
          days: Type.Optional(Type.Integer({ minimum: 1, maximum: 7, default: 1 })),
        }),
        response: {
          200: Type.Object({
            location_id: Type.String(),
            from: Type.String(),
            days: Type.Integer(),
            items: Type.Array(
              Type.Object({
                ...AppointmentFields,
                service_name: Type.String(),
                customer_name: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...errors(404),
        },
      },
    },
    async (req) => {
      if (!(await ctx.locationExists(db, req.params.id))) throw notFound('location', 'id');
      return calendar(db, ctx.keys, req.principal, tz, req.params.id, req.query.from, req.query.days ?? 1);
    },
  );

  app.post(
    '/stores/:id/footfall',
    {
      config: {
        roles: ['admin', 'store_staff', 'integration'],
        scope: 'events',
        acts: { kind: 'location', param: 'id' },
      },
      schema: {
        tags: ['appointments'],
        summary: 'A people counter’s visitor count for an interval (counts only: no images, no faces)',
        description:
          'The interval [from, to) lies within one hour of the retailer’s clock (422 footfall_interval). Idempotent per (store, from, to, source): the same again replaces the count (200, replaced true); new is 201. Store staff: their own store only.',
        params: IdParams,
        body: Type.Object(
          {
            from: Instant('start of the counted interval'),
            to: Instant('end of the counted interval (exclusive)'),
            count: Type.Integer({ minimum: 0, maximum: 100_000, description: 'people who came in' }),
            source: Id,
          },
          {
            additionalProperties: false,
            examples: [
              { from: '2026-12-05T02:00:00Z', to: '2026-12-05T03:00:00Z', count: 137, source: 'door-counter-1' },
            ],
          },
        ),
        response: {
          201: FootfallSchema,
          200: FootfallSchema,
          ...errors(404, 422),
        },
      },
    },
    async (req, reply) => {
      const r = await recordFootfall(db, tz, req.params.id, req.body);
      return reply.code(r.replaced ? 200 : 201).send(r);
    },
  );
};
