import { Type } from '@sinclair/typebox';
import { audit } from '../../platform/audit/audit';
import { notFound } from '../../platform/http/errors';
import { Cursor, errors, Id, Limit } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { ingestEvents, KNOWN_EVENT_TYPES, MAX_BATCH } from './events';
import { readTimeline } from './timeline';

const EVENT_DOC = [
  'One behaviour event: {event_id, type, occurred_at, channel, customer_id? | identifiers? | anonymous_id?, location_id?, properties}.',
  'event_id is yours and makes retries safe (a repeat is counted in duplicates). Exactly one of customer_id, identifiers ([{type, value}], resolved as POST /v1/identify does) or anonymous_id (an anonymous profile, merged into the customer when a later identify brings the same anonymous_id).',
  `Known types check their properties: ${KNOWN_EVENT_TYPES.join(', ')}; order_completed is published by the order module; any other [a-z][a-z0-9_.]{0,63} type is a custom event.`,
  'Each event is checked on its own: a bad one is listed in rejected with its index, code and field, the others are accepted.',
].join(' ');

const TimelineItem = Type.Object({
  kind: Type.String({ description: 'order, event, merge or consent' }),
  at: Type.String(),
  channel: Type.Optional(Type.String()),
  type: Type.Optional(Type.String({ description: 'event type; merged/unmerged; consent purpose' })),
  data: Type.Record(Type.String(), Type.Unknown()),
});

export const eventRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.post(
    '/events',
    {
      config: { roles: ['admin', 'integration', 'store_staff'], scope: 'events', checksOwnText: true },
      schema: {
        tags: ['people'],
        summary: `Ingest behaviour events, up to ${MAX_BATCH} per request`,
        description:
          'Integration keys send events of their own channel only; store staff keys events of their own location.',
        body: Type.Object(
          { events: Type.Array(Type.Unknown({ description: EVENT_DOC }), { maxItems: MAX_BATCH }) },
          {
            additionalProperties: false,
            examples: [
              {
                events: [
                  {
                    event_id: 'app-7f3c9a-000184',
                    type: 'product_viewed',
                    occurred_at: '2026-12-05T09:30:00+08:00',
                    channel: 'app',
                    anonymous_id: 'dev-7f3c9a',
                    properties: { sku: 'SKU00042' },
                  },
                  {
                    event_id: 'pos-st-renmin-0932',
                    type: 'store_visit',
                    occurred_at: '2026-12-05T10:12:00+08:00',
                    channel: 'pos',
                    customer_id: 'cus_01jeb2m9x4k7q3r8t5v6w2y9za',
                    properties: { location_id: 'st-renmin' },
                  },
                ],
              },
            ],
          },
        ),
        response: {
          200: Type.Object({
            accepted: Type.Integer(),
            duplicates: Type.Integer(),
            rejected: Type.Array(
              Type.Object({
                index: Type.Integer(),
                code: Type.String(),
                message: Type.String(),
                field: Type.Optional(Type.String()),
              }),
            ),
          }),
          ...errors(413),
        },
      },
    },
    async (req) => ingestEvents(ctx.database, ctx.keys, req.body.events, req.principal),
  );

  app.get(
    '/customers/:id/timeline',
    {
      config: { roles: ['admin', 'support', 'store_staff', 'marketer', 'analyst'] },
      schema: {
        tags: ['people'],
        summary: "One person's history across channels, newest first: orders, events, merges, consents",
        description:
          'types: a comma list of kinds (order, event, merge, consent) and/or event types (product_viewed, ...). Personal keys of event properties (phone, email, name, address, id_number, ...) are shown to admins only.',
        params: Type.Object({ id: Id }),
        querystring: Type.Object({
          types: Type.Optional(Type.String({ maxLength: 2000 })),
          cursor: Cursor,
          limit: Limit,
        }),
        response: {
          200: Type.Object({
            customer_id: Type.String(),
            items: Type.Array(TimelineItem),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(404),
        },
      },
    },
    async (req) => {
      const t = await readTimeline(db, req.params.id, req.principal, {
        types: req.query.types,
        cursor: req.query.cursor,
        limit: req.query.limit ?? 50,
      });
      if (!t) throw notFound('customer', 'id');
      if (req.principal.role === 'admin')
        await audit(db, req.principal, { action: 'customer.timeline', subject: t.customer_id });
      return t;
    },
  );
};
