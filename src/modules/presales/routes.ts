import { Type } from '@sinclair/typebox';
import type { Principal } from '../../platform/auth/roles';
import { forbidden, unprocessable } from '../../platform/http/errors';
import { Cursor, errors, Fen, FreeText, Id, Limit, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { maskedAddress, namesFor, resolveCustomer } from '../customers/public';
import { existingStoreIds, locationName } from '../locations/public';
import { CancelBody, CustomerRefSchema, PAYMENT_METHODS } from '../orders/public';
import { convertReservation } from './convert';
import {
  cancelReservation,
  createPresale,
  demand,
  launch,
  listPresales,
  listReservations,
  payDeposit,
  readPresale,
  reserve,
} from './service';
import { PRESALE_STATUSES, RESERVATION_STATUSES } from './tables';

const Str = Type.String();
const Int = Type.Integer();
const NullStr = Type.Union([Str, Type.Null()]);

const PresaleSchema = Type.Object({
  id: Str,
  sku: Str,
  product_name: NullStr,
  title: Str,
  launch_at: Str,
  deposit: Type.Integer({ description: 'deposit per reservation, fen (0: none)' }),
  per_customer_limit: Int,
  status: StringEnum(PRESALE_STATUSES),
  launched_at: NullStr,
  created_at: Str,
  reservations: Type.Integer({ description: 'reservations made (held, converted or awaiting their deposit)' }),
  units: Type.Integer({ description: 'units reserved and held (deposit paid or none asked), converted included' }),
});

const ReservationSchema = Type.Object({
  id: Str,
  presale_id: Str,
  customer_id: Str,
  location_id: Str,
  qty: Int,
  deposit: Type.Integer({ description: 'fen' }),
  status: StringEnum(RESERVATION_STATUSES),
  channel: Type.String({ description: 'the channel it was made in (pos: at a till or by staff)' }),
  paid_at: NullStr,
  order_id: NullStr,
  refunded: Type.Integer({ description: 'deposit refunded at its cancellation, fen' }),
  cancelled_at: NullStr,
  created_at: Str,
});

const InviteSchema = Type.Intersect([
  ReservationSchema,
  Type.Object({
    customer_name: Type.Union([Str, Type.Null()], { description: 'as the caller may see it (masked for store staff)' }),
    phone_masked: Type.Union([Str, Type.Null()], { description: 'the phone to invite them on, masked (138****5678)' }),
  }),
]);

const PresaleBody = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 64 }),
    title: FreeText(200, { minLength: 1 }),
    launch_at: Type.String({ format: 'date-time', description: 'ISO-8601 with a time zone' }),
    deposit: Type.Optional(Fen('deposit per reservation, fen, paid like an order and deducted at launch')),
    per_customer_limit: Type.Integer({ minimum: 1, maximum: 100, description: 'most units one customer reserves' }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        sku: 'SKU00042',
        title: '新款智能电饭煲 预约',
        launch_at: '2026-12-20T02:00:00Z',
        deposit: 5000,
        per_customer_limit: 2,
      },
    ],
  },
);

const ReserveBody = Type.Object(
  {
    customer: CustomerRefSchema,
    location_id: Id,
    qty: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100, default: 1, description: 'at most per_customer_limit' }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ customer: { type: 'phone', value: '+8613800138000' }, location_id: 'store-huangpu', qty: 1 }],
  },
);

const PayBody = Type.Object(
  {
    payment_ref: Type.String({ minLength: 1, maxLength: 200 }),
    payment_method: Type.Optional(StringEnum(PAYMENT_METHODS)),
  },
  {
    additionalProperties: false,
    examples: [{ payment_ref: 'wxpay-4200001234202612050001', payment_method: 'wechat_pay' }],
  },
);

const ConvertBody = Type.Object(
  { payment_method: StringEnum(PAYMENT_METHODS, { description: 'how the customer pays the rest at the till' }) },
  { additionalProperties: false, examples: [{ payment_method: 'wechat_pay' }] },
);

const IdParams = Type.Object({ id: Id });
const ReservationParams = Type.Object({ id: Id, reservation_id: Id });
const readers = ['admin', 'marketer', 'analyst', 'support', 'store_staff'] as const;

/** Store staff act at their own store only: another store named is 403. */
function ownStore(p: Principal, locationId: string | undefined): void {
  if (p.role === 'store_staff' && locationId !== undefined && locationId !== p.locationId)
    throw forbidden('store staff act on their own store only');
}

export const presaleRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.post(
    '/presales',
    {
      config: { roles: ['admin', 'marketer'] },
      schema: {
        tags: ['presales'],
        summary: 'Announce a pre-sale (新品预约) of a SKU: its launch, deposit and per-customer limit',
        body: PresaleBody,
        response: { 201: PresaleSchema, ...errors(422) },
      },
    },
    async (req, reply) => reply.code(201).send(await createPresale(db, req.body)),
  );

  app.get(
    '/presales',
    {
      config: { roles: readers },
      schema: {
        tags: ['presales'],
        summary: 'Pre-sales, newest first, with reservations and units held',
        querystring: Type.Object({ status: Type.Optional(StringEnum(PRESALE_STATUSES)), cursor: Cursor, limit: Limit }),
        response: { 200: Type.Object({ items: Type.Array(PresaleSchema), next_cursor: NullStr }) },
      },
    },
    async (req) => listPresales(db, { ...req.query, limit: req.query.limit ?? 50 }),
  );

  app.get(
    '/presales/:id',
    {
      config: { roles: readers },
      schema: {
        tags: ['presales'],
        summary: 'One pre-sale',
        params: IdParams,
        response: { 200: PresaleSchema, ...errors(404) },
      },
    },
    async (req) => readPresale(db, req.params.id),
  );

  app.post(
    '/presales/:id/reservations',
    {
      config: { roles: ['admin', 'support', 'store_staff', 'integration'], scope: 'orders' },
      schema: {
        tags: ['presales'],
        summary:
          'Reserve at a store (takes Idempotency-Key; one reservation per customer: asking again answers it, 200)',
        description:
          'Without a deposit the reservation is held at once; with one it is pending_payment until ' +
          'POST …/reservations/{reservation_id}/pay. Store staff reserve at their own store.',
        params: IdParams,
        body: ReserveBody,
        response: { 200: ReservationSchema, 201: ReservationSchema, ...errors(404, 422) },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      ownStore(p, req.body.location_id);
      if ((await existingStoreIds(db, [req.body.location_id])).size === 0)
        throw unprocessable('unknown_location', `no store ${req.body.location_id}`, 'location_id');
      const channel = p.role === 'integration' && p.channel ? p.channel : 'pos';
      const customerId = await resolveCustomer(ctx.database, ctx.keys, req.body.customer, channel, p);
      const r = await reserve(db, req.params.id, {
        customerId,
        locationId: req.body.location_id,
        qty: req.body.qty ?? 1,
        channel,
      });
      return reply.code(r.created ? 201 : 200).send(r.reservation);
    },
  );

  app.get(
    '/presales/:id/reservations',
    {
      config: { roles: ['admin', 'marketer', 'support', 'store_staff'] },
      schema: {
        tags: ['presales'],
        summary: "A pre-sale's reservations, oldest first, with whom to invite (store staff: their store's)",
        params: IdParams,
        querystring: Type.Object({
          location_id: Type.Optional(Id),
          status: Type.Optional(StringEnum(RESERVATION_STATUSES)),
          cursor: Cursor,
          limit: Limit,
        }),
        response: { 200: Type.Object({ items: Type.Array(InviteSchema), next_cursor: NullStr }), ...errors(404) },
      },
    },
    async (req) => {
      const p = req.principal;
      ownStore(p, req.query.location_id);
      const found = await listReservations(db, req.params.id, {
        locationId: p.role === 'store_staff' ? (p.locationId ?? undefined) : req.query.location_id,
        status: req.query.status,
        cursor: req.query.cursor,
        limit: req.query.limit ?? 50,
      });
      const ids = found.items.map((r) => r.customer_id);
      const names = await namesFor(db, ctx.keys, p, ids);
      const phones = await Promise.all(ids.map((id) => maskedAddress(db, id, 'phone')));
      return {
        items: found.items.map((r, i) => ({
          ...r,
          customer_name: names.get(r.customer_id) ?? null,
          phone_masked: phones[i] ?? null,
        })),
        next_cursor: found.next_cursor,
      };
    },
  );

  app.post(
    '/presales/:id/reservations/:reservation_id/pay',
    {
      config: { roles: ['admin', 'store_staff', 'integration'], scope: 'orders' },
      schema: {
        tags: ['presales'],
        summary:
          "Confirm a reservation's deposit payment (like an order's; the same payment_ref again answers the same)",
        params: ReservationParams,
        body: PayBody,
        response: { 200: ReservationSchema, ...errors(404, 409) },
      },
    },
    async (req) => {
      const r = await payDeposit(db, req.params.id, req.params.reservation_id, req.body, new Date(), (loc) =>
        ownStore(req.principal, loc),
      );
      return r;
    },
  );

  app.post(
    '/presales/:id/reservations/:reservation_id/cancel',
    {
      config: { roles: ['admin', 'support', 'store_staff', 'integration'], scope: 'orders' },
      schema: {
        tags: ['presales'],
        summary: 'Cancel a reservation not yet sold: a paid deposit is refunded (cancelling again answers the same)',
        description:
          'As an order is cancelled: a paid deposit is recorded as refunded (`refunded`, fen) and ' +
          'presale.reservation_cancelled carries its payment_ref for the payment provider; the deposit ' +
          'coupon is voided (if it was already spent on an order, the deposit was deducted there and ' +
          'nothing is refunded). 409 reservation_not_cancellable once converted into an order (return ' +
          'the order instead). The person may reserve again. Store staff: their own store only.',
        params: ReservationParams,
        body: CancelBody,
        response: { 200: ReservationSchema, ...errors(404, 409) },
      },
    },
    async (req) =>
      cancelReservation(db, req.params.id, req.params.reservation_id, req.body?.reason ?? null, new Date(), (loc) =>
        ownStore(req.principal, loc),
      ),
  );

  app.post(
    '/presales/:id/launch',
    {
      config: { roles: ['admin', 'marketer'] },
      schema: {
        tags: ['presales'],
        summary: 'Launch now: reservations close, held ones may be converted into orders (presale.launched)',
        description:
          'A pre-sale launches by itself at its launch_at (a periodic task); this launches it earlier. ' +
          'Launching again answers the launched pre-sale. presale.launched becomes an event of every ' +
          'person holding a reservation, and presale.reserved of the person reserving, so journeys ' +
          'can trigger on them (`{"event": {"type": "presale.launched"}}`).',
        params: IdParams,
        response: { 200: PresaleSchema, ...errors(404) },
      },
    },
    async (req) => launch(db, req.params.id),
  );

  app.post(
    '/presales/:id/reservations/:reservation_id/convert',
    {
      config: { roles: ['admin', 'store_staff'], scope: 'orders' },
      schema: {
        tags: ['presales'],
        summary:
          'After launch: sell the reserved units at the reservation’s store, the deposit deducted (takes Idempotency-Key)',
        params: ReservationParams,
        body: ConvertBody,
        response: {
          200: Type.Object({
            reservation: ReservationSchema,
            order_id: Str,
            total: Type.Integer({ description: 'what the order costs after the deposit, fen' }),
          }),
          ...errors(404, 409, 422),
        },
      },
    },
    async (req) =>
      convertReservation(ctx, req.principal, req.params.id, req.params.reservation_id, req.body.payment_method, (loc) =>
        ownStore(req.principal, loc),
      ),
  );

  app.get(
    '/presales/:id/demand',
    {
      config: { roles: readers },
      schema: {
        tags: ['presales'],
        summary: 'Demand per store for stocking up: reservations held, units, deposits paid (fen)',
        params: IdParams,
        querystring: Type.Object({
          group_by: Type.Optional(StringEnum(['location'] as const, { default: 'location' })),
        }),
        response: {
          200: Type.Object({
            presale_id: Str,
            sku: Str,
            launch_at: Str,
            group_by: Type.Literal('location'),
            total_units: Int,
            total_reservations: Int,
            items: Type.Array(
              Type.Object({
                location_id: Str,
                location_name: NullStr,
                reservations: Int,
                units: Int,
                pending_payment: Int,
                deposits_paid: Type.Integer({ description: 'fen' }),
              }),
            ),
          }),
          ...errors(404),
        },
      },
    },
    async (req) => {
      const d = await demand(db, req.params.id);
      const names = await Promise.all(d.items.map((i) => locationName(db, i.location_id)));
      return { ...d, items: d.items.map((i, k) => ({ ...i, location_name: names[k] ?? null })) };
    },
  );
};
