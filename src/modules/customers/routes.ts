import { Type } from '@sinclair/typebox';
import { CHANNELS } from '../../platform/auth/roles';
import { personalDataExport, personalDataRead } from '../../platform/audit/bulk';
import { wantsCsv } from '../../platform/http/csv';
import { forbidden, notFound, unprocessable } from '../../platform/http/errors';
import { Cursor, errors, Id, Limit, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { addManualTag, removeManualTag } from './tags';
import { IDENTIFIER_TYPES, InvalidIdentifier, normalise } from './identifiers';
import { identify, unmerge } from './identity';
import { lookup, readProfile } from './profile';
import { profileSectionSchemas } from './profile-sections';
import { countCustomers, CUSTOMER_EXPORT_MAX, customersCsv, LIST_SORTS, ListItem, sortedIds, statsOf } from './list';
import { namesFor } from './names';
import { searchPeople } from './search';
import { listCustomers } from './service';
import { checkTraits } from './trait-schema';
import { assertOwnChannel } from '../../platform/auth/channel';
import { VERIFIED_BY } from './verification';

const UnmergeBody = Type.Object(
  { merge_id: Id },
  { additionalProperties: false, examples: [{ merge_id: 'mrg_01jeb3a2c5d7f9h1k3m5p7r9t2' }] },
);
const Traits = Type.Record(
  Type.String({ maxLength: 64 }),
  Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean(), Type.Null()]),
  { maxProperties: 50 },
);
const IdentifierInput = Type.Object(
  { type: StringEnum(IDENTIFIER_TYPES), value: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
const VERIFIED_BY_DOC =
  'how it was verified; only admin keys and trusted integration keys (identity:trusted) may say more than self_asserted';
const IdentifyIdentifier = Type.Object(
  {
    ...IdentifierInput.properties,
    verified_by: Type.Optional(StringEnum(VERIFIED_BY, { description: VERIFIED_BY_DOC })),
  },
  { additionalProperties: false },
);
const VERIFICATION_DOC = 'one-time codes from POST /v1/verifications, one per customer to link';
const VerificationRef = Type.Object(
  { id: Id, code: Type.String({ minLength: 1, maxLength: 12 }) },
  { additionalProperties: false },
);
const IdentifyBody = Type.Object(
  {
    identifiers: Type.Array(IdentifyIdentifier, { maxItems: 20 }),
    traits: Type.Optional(Traits),
    channel: StringEnum(CHANNELS),
    anonymous_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    verification: Type.Optional(
      Type.Union([VerificationRef, Type.Array(VerificationRef, { minItems: 1, maxItems: 5 })], {
        description: VERIFICATION_DOC,
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        channel: 'app',
        identifiers: [{ type: 'phone', value: '+8613800138000' }],
        traits: { name: '王芳', city: 'Shanghai' },
        anonymous_id: 'dev-7f3c9a',
      },
    ],
  },
);
const IdentifyResult = Type.Object({
  customer_id: Type.String(),
  created: Type.Boolean(),
  merged: Type.Array(Type.Object({ from: Type.String(), into: Type.String(), merge_id: Type.String() })),
  linked: Type.Optional(
    Type.Literal(false, { description: 'present when links were withheld: customer_id is a separate profile' }),
  ),
  pending_verification: Type.Optional(
    Type.Array(Type.String(), {
      description: 'identifier types that found the customers not linked: verify one of each and call again',
    }),
  ),
});

export const ConsentStateSchema = Type.Object({
  purpose: Type.String(),
  granted: Type.Boolean(),
  at: Type.Union([Type.String(), Type.Null()]),
  channel: Type.Union([Type.String(), Type.Null()]),
  source: Type.Union([Type.String(), Type.Null()]),
});
const IdentifierView = Type.Object({
  type: Type.String(),
  value: Type.Optional(Type.String()),
  masked: Type.Optional(Type.String()),
  strong: Type.Boolean(),
  first_seen: Type.String(),
  last_seen: Type.String(),
  verified_by: Type.Union([Type.String(), Type.Null()], {
    description: `how it was verified: ${VERIFIED_BY.join(', ')}; null: not recorded`,
  }),
});
export const ProfileSchema = Type.Object({
  id: Type.String(),
  requested_id: Type.Optional(Type.String()),
  merged_into: Type.Optional(Type.String()),
  kind: Type.String(),
  created_at: Type.String(),
  first_channel: Type.Union([Type.String(), Type.Null()]),
  identifiers: Type.Array(IdentifierView),
  traits: Type.Record(Type.String(), Type.Unknown()),
  tags: Type.Array(Type.String()),
  consents: Type.Array(ConsentStateSchema),
  stats: Type.Object({
    orders: Type.Integer(),
    spend: Type.Integer(),
    by_channel: Type.Array(
      Type.Object({
        channel: Type.String(),
        orders: Type.Integer(),
        spend: Type.Integer(),
        last_order_at: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
    last_seen: Type.Array(Type.Object({ channel: Type.String(), at: Type.String() })),
  }),
  merges: Type.Array(
    Type.Object({
      merge_id: Type.String(),
      from: Type.String(),
      into: Type.String(),
      at: Type.String(),
      undone_at: Type.Union([Type.String(), Type.Null()]),
      linked_by: Type.Array(Type.String()),
    }),
  ),
  members: Type.Array(Type.String()),
});
const Tag = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\s,][^,]*$' });
const people = ['admin', 'support', 'store_staff', 'marketer', 'analyst'] as const;

export const customerRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  // The profile as documented, with the sections other modules registered (e.g. loyalty).
  const ProfileOut = Type.Object({ ...ProfileSchema.properties, ...profileSectionSchemas() });

  app.post(
    '/identify',
    {
      config: { roles: ['admin', 'integration', 'store_staff', 'support'], scope: 'customers' },
      schema: {
        tags: ['people'],
        summary: 'One ID: resolve identifiers to one customer, creating or merging as the identity rules say',
        description: [
          'A caller that is not trusted (store staff, support, integration keys without identity:trusted) links a customer',
          'to a new strong identifier, or merges two customers, only with a one-time code (verification) for an identifier',
          'of each customer linked; otherwise the answer is a separate profile with linked: false and pending_verification.',
        ].join(' '),
        body: IdentifyBody,
        response: { 200: IdentifyResult, ...errors(422) },
      },
    },
    async (req) => {
      assertOwnChannel(req.principal, req.body.channel, 'identifies');
      await checkTraits(db, req.body.traits);
      return identify(ctx.database, ctx.keys, req.body, req.principal);
    },
  );

  app.get(
    '/customers',
    {
      config: { roles: people },
      schema: {
        tags: ['people'],
        summary:
          'Customers with name (by role), tier, spend and last sale; by tag, or (admin, support, store staff) searched in q',
        description:
          'q finds, through blind indexes only: an exact phone, e-mail or card, the last 4 digits of a phone, the exact ' +
          'name, a customer id. `total` counts every match (exact). sort: spend, last_sale or tier, largest first ' +
          `(default: oldest first). With \`Accept: text/csv\` (admin, marketer) every match, at most ${CUSTOMER_EXPORT_MAX}, ` +
          'as CSV: an export recorded in the audit log and counted by the bulk-access guard, one read per customer.',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          tag: Type.Optional(Tag),
          sort: Type.Optional(StringEnum(LIST_SORTS)),
          cursor: Cursor,
          limit: Limit,
        }),
        response: {
          200: Type.Object({
            items: Type.Array(ListItem),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
            total: Type.Integer({ description: 'how many customers match, over all pages' }),
          }),
          ...errors(422, 429),
        },
      },
    },
    async (req, reply) => {
      const csv = wantsCsv(req.headers.accept);
      if (csv && !['admin', 'marketer'].includes(req.principal.role))
        throw forbidden('exporting customers is for admins and marketers');
      let ids: string[] | undefined;
      if (req.query.q) {
        if (!['admin', 'support', 'store_staff'].includes(req.principal.role))
          throw forbidden('searching by contact data is not allowed for your role');
        ids = await searchPeople(db, ctx.keys, req.query.q);
        await personalDataRead(db, ctx.config, req.principal, {
          action: 'customer.search',
          details: { found: ids.length },
        });
      }
      const filter = { tag: req.query.tag, ids };
      const limit = csv ? CUSTOMER_EXPORT_MAX + 1 : (req.query.limit ?? 50);
      const cursor = csv ? undefined : req.query.cursor;
      const [found, total] = await Promise.all([
        req.query.sort
          ? sortedIds(db, req.query.sort, filter, cursor, limit).then(async (p) => ({
              items: (await listCustomers(db, req.principal, { ids: p.ids, limit })).items.sort(
                (a, b) => p.ids.indexOf(a.id) - p.ids.indexOf(b.id),
              ),
              next_cursor: p.next_cursor,
            }))
          : listCustomers(db, req.principal, { cursor, limit, ...filter }),
        countCustomers(db, filter),
      ]);
      const roots = found.items.map((c) => c.id);
      const [names, stats] = await Promise.all([namesFor(db, ctx.keys, req.principal, roots), statsOf(db, roots)]);
      const items = found.items.map((c) => ({ ...c, name: names.get(c.id) ?? null, ...stats.get(c.id)! }));
      if (!csv) return { items, next_cursor: found.next_cursor, total };
      if (items.length > CUSTOMER_EXPORT_MAX)
        throw unprocessable(
          'export_too_large',
          `more than ${CUSTOMER_EXPORT_MAX} customers match: narrow by tag or search`,
          'tag',
        );
      await personalDataExport(
        db,
        ctx.config,
        req.principal,
        { action: 'customer.export', details: { sort: req.query.sort ?? null } },
        items.length,
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="customers.csv"')
        .send(customersCsv(items) as never); // CSV text, not serialised by the JSON schema
    },
  );

  app.get(
    '/customers/lookup',
    {
      config: { roles: ['admin', 'support', 'store_staff'] },
      schema: {
        tags: ['people'],
        summary: "The till's member lookup: exact match on one identifier",
        querystring: Type.Object({
          type: StringEnum(IDENTIFIER_TYPES),
          value: Type.String({ minLength: 1, maxLength: 200 }),
        }),
        response: { 200: ProfileOut, ...errors(404, 422) },
      },
    },
    async (req) => {
      let v: string;
      try {
        v = normalise(req.query.type, req.query.value);
      } catch (e) {
        throw unprocessable(
          'invalid_identifier',
          e instanceof InvalidIdentifier ? e.message : 'invalid identifier',
          'value',
        );
      }
      const id = await lookup(db, ctx.keys, req.query.type, v);
      await personalDataRead(db, ctx.config, req.principal, {
        action: 'customer.lookup',
        subject: id,
        details: { type: req.query.type, found: id !== null },
      });
      if (!id) throw notFound('customer', 'value');
      return (await readProfile(db, ctx.keys, id, req.principal))!;
    },
  );

  app.get(
    '/customers/:id',
    {
      config: { roles: people },
      schema: {
        tags: ['people'],
        summary: 'The 360° profile (a merged-away id returns its survivor with merged_into)',
        params: Type.Object({ id: Id }),
        response: { 200: ProfileOut, ...errors(404) },
      },
    },
    async (req) => {
      const p = await readProfile(db, ctx.keys, req.params.id, req.principal);
      if (!p) throw notFound('customer', 'id');
      if (req.principal.role === 'admin')
        await personalDataRead(db, ctx.config, req.principal, { action: 'customer.view', subject: p.id });
      return p;
    },
  );

  app.post(
    '/customers/:id/unmerge',
    {
      config: { roles: ['admin', 'support'] },
      schema: {
        tags: ['people'],
        summary: 'Undo a wrong merge',
        params: Type.Object({ id: Id }),
        body: UnmergeBody,
        response: {
          200: Type.Object({ merge_id: Type.String(), restored: Type.String(), survivor: Type.String() }),
          ...errors(404, 409, 422),
        },
      },
    },
    async (req) => unmerge(ctx.database, ctx.keys, req.params.id, req.body.merge_id, req.principal),
  );

  app.put(
    '/customers/:id/tags/:tag',
    {
      config: { roles: ['admin', 'marketer', 'support'] },
      schema: {
        tags: ['people'],
        summary: 'Add a manual tag',
        params: Type.Object({ id: Id, tag: Tag }),
        response: { 200: Type.Object({ customer_id: Type.String(), tag: Type.String() }), ...errors(404) },
      },
    },
    async (req) => ({ customer_id: await addManualTag(db, req.params.id, req.params.tag), tag: req.params.tag }),
  );

  app.delete(
    '/customers/:id/tags/:tag',
    {
      config: { roles: ['admin', 'marketer', 'support'] },
      schema: {
        tags: ['people'],
        summary: "Remove a tag from a customer's profile",
        params: Type.Object({ id: Id, tag: Tag }),
        response: { 200: Type.Object({ customer_id: Type.String(), tag: Type.String() }), ...errors(404) },
      },
    },
    async (req) => ({ customer_id: await removeManualTag(db, req.params.id, req.params.tag), tag: req.params.tag }),
  );
};
