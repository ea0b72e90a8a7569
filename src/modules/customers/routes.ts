import { Type } from '@sinclair/typebox';
import { CHANNELS } from '../../platform/auth/roles';
import { personalDataRead } from '../../platform/audit/bulk';
import { forbidden, notFound, unprocessable } from '../../platform/http/errors';
import { Cursor, errors, Id, Limit, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { addManualTag, removeManualTag } from './tags';
import { IDENTIFIER_TYPES, InvalidIdentifier, normalise, type IdentifierType } from './identifiers';
import { identify, rootOf, unmerge } from './identity';
import { lookup, readProfile } from './profile';
import { profileSectionSchemas } from './profile-sections';
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
const Summary = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  created_at: Type.String(),
  first_channel: Type.Union([Type.String(), Type.Null()]),
  traits: Type.Record(Type.String(), Type.Unknown()),
  identifiers: Type.Array(Type.Object({ type: Type.String(), masked: Type.Union([Type.String(), Type.Null()]) })),
  tags: Type.Array(Type.String()),
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
        summary: 'Customers by tag, or (admin, support, store staff) by exact phone, e-mail or card in q',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          tag: Type.Optional(Tag),
          cursor: Cursor,
          limit: Limit,
        }),
        response: {
          200: Type.Object({ items: Type.Array(Summary), next_cursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors(),
        },
      },
    },
    async (req) => {
      let ids: string[] | undefined;
      if (req.query.q) {
        if (!['admin', 'support', 'store_staff'].includes(req.principal.role))
          throw forbidden('searching by contact data is not allowed for your role');
        ids = [];
        for (const type of [
          'phone',
          'email',
          'member_card',
          'pos_card',
          'wechat_unionid',
          'external',
        ] as IdentifierType[]) {
          let v: string;
          try {
            v = normalise(type, req.query.q);
          } catch {
            continue;
          }
          const id = await lookup(db, ctx.keys, type, v);
          if (id && !ids.includes(id)) ids.push(id);
        }
        if (req.query.q.startsWith('cus_') && (await rootOf(db, req.query.q)))
          ids.push((await rootOf(db, req.query.q))!);
        await personalDataRead(db, ctx.config, req.principal, {
          action: 'customer.search',
          details: { found: ids.length },
        });
      }
      return listCustomers(db, req.principal, {
        cursor: req.query.cursor,
        limit: req.query.limit ?? 50,
        tag: req.query.tag,
        ids,
      });
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
