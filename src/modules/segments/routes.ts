import { Readable } from 'node:stream';
import { Type, type TString } from '@sinclair/typebox';
import { personalDataExport } from '../../platform/audit/bulk';
import { Cursor, errors, FreeText, Id, Limit } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { previewSegment } from './preview';
import { checkRule } from './rule';
import {
  createSaved,
  deleteSaved,
  getSaved,
  listSaved,
  memberPage,
  membersCsv,
  segmentSize,
  updateSaved,
  type Ref,
} from './saved';
import './profile';
import { wantsCsv } from '../../platform/http/csv';

const READ = ['admin', 'marketer', 'analyst'] as const;
const WRITE = ['admin', 'marketer'] as const;

// The rule is checked by checkRule, whose errors name the path inside it.
const RuleField = Type.Unknown({
  description:
    'A rule of the rule language (README, Segments): all, any, not over the leaves trait, tag, created, consent, ' +
    'event, ordered, tier, points, rfm, lifecycle, visited_store, near_store, clv',
});
const EXAMPLE_RULE = {
  all: [
    { consent: { purpose: 'marketing_sms', granted: true } },
    { ordered: { spend: { gte: 100000 }, within_days: 365 } },
    { not: { tag: 'staff' } },
    { any: [{ tier: { gte: 'silver' } }, { rfm: { segment: { in: ['champions', 'loyal'] } } }] },
  ],
};

const PreviewBody = Type.Object(
  { rule: RuleField },
  { additionalProperties: false, examples: [{ rule: EXAMPLE_RULE }] },
);

const SegmentName = FreeText(100, { minLength: 1, description: 'unique among segments' });
/** A computed tag's name is also its path segment and the `tag` leaf's operand: no slash, no comma, no leading space. */
const TAG_NAME = { minLength: 1, maxLength: 64, pattern: '^[^\\s,/][^,/]*$' };
/** In a path: the name as it is stored. */
const TagPath = Type.String({ ...TAG_NAME, description: "the computed tag's name" });
const TagName = Type.String({
  ...TAG_NAME,
  format: 'free-text',
  examples: ['高消费力'],
  description: 'unique among computed tags; no "/" or ","; no phone numbers or e-mail addresses',
});
const Description = Type.Optional(Type.Union([FreeText(500), Type.Null()]));

const savedBody = (name: TString, example: Record<string, unknown>) =>
  Type.Object(
    { name, description: Description, rule: RuleField },
    { additionalProperties: false, examples: [example] },
  );
const SegmentBody = savedBody(SegmentName, {
  name: '上海高价值会员',
  description: 'SMS-reachable members who spent ¥1,000 in a year',
  rule: EXAMPLE_RULE,
});
const TagBody = savedBody(TagName, {
  name: '咖啡爱好者',
  description: 'bought coffee at least three times in 90 days',
  rule: { ordered: { category: 'coffee', count: { gte: 3 }, within_days: 90 } },
});

const Saved = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  rule: Type.Unknown(),
  size: Type.Integer({ description: 'members at evaluated_at' }),
  evaluated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  preset: Type.Boolean({ description: 'shipped with Santong (editable)' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const Member = Type.Object({ customer_id: Type.String(), entered_at: Type.String({ format: 'date-time' }) });

/** Segments: preview, saved segments with kept-current membership, and computed tags (the same machinery). */
export const segmentRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.post(
    '/segments/preview',
    {
      config: { roles: READ, idempotent: false },
      schema: {
        tags: ['segments'],
        summary: 'Count the people a rule selects now, with a sample of up to 20 ids, without saving anything',
        description:
          'One set-based query over the whole base; merged groups count once (their root), erased and anonymous ' +
          'profiles never. rfm and lifecycle read the latest done RFM run (none yet: they match nobody); ' +
          'near_store measures from the last delivery coordinates, else the home_store trait, else the first POS ' +
          'sale. 422 invalid_rule names the path of the fault in the rule (rule.all[0].tier.in[1]), including ' +
          'unknown tiers and stores.',
        body: PreviewBody,
        response: {
          200: Type.Object({ size: Type.Integer(), sample: Type.Array(Type.String()) }),
          ...errors(422),
        },
      },
    },
    async (req) => previewSegment(db, await checkRule(db, req.body.rule), new Date()),
  );

  // Segments by id, computed tags by name: the same handlers.
  const kinds = [
    {
      kind: 'segment' as const,
      base: '/segments',
      item: '/segments/:id',
      tag: 'segments',
      what: 'segment',
      Body: SegmentBody,
      Params: Type.Object({ id: Id }),
      ref: (p: Record<string, string>): Ref => ({ kind: 'segment', id: p.id }),
    },
    {
      kind: 'tag' as const,
      base: '/tags',
      item: '/tags/:name',
      tag: 'segments',
      what: 'computed tag',
      Body: TagBody,
      Params: Type.Object({ name: TagPath }),
      ref: (p: Record<string, string>): Ref => ({ kind: 'tag', name: p.name }),
    },
  ];
  for (const k of kinds) {
    app.post(
      k.base,
      {
        config: { roles: WRITE },
        schema: {
          tags: [k.tag],
          summary: `Save a ${k.what}: its members are evaluated now and kept current (at most SANTONG_SEGMENT_REFRESH_SECONDS behind)`,
          body: k.Body,
          response: { 201: Saved, ...errors(409, 422) },
        },
      },
      async (req, reply) => reply.code(201).send(await createSaved(db, k.kind, req.body)),
    );
    app.get(
      k.base,
      {
        config: { roles: READ },
        schema: {
          tags: [k.tag],
          summary: `Every ${k.what} with its size, by name`,
          response: { 200: Type.Object({ items: Type.Array(Saved) }), ...errors() },
        },
      },
      async () => ({ items: await listSaved(db, k.kind) }),
    );
    app.get(
      k.item,
      {
        config: { roles: READ },
        schema: {
          tags: [k.tag],
          summary: `One ${k.what}`,
          params: k.Params,
          response: { 200: Saved, ...errors(404) },
        },
      },
      async (req) => getSaved(db, k.ref(req.params as Record<string, string>)),
    );
    app.put(
      k.item,
      {
        config: { roles: WRITE },
        schema: {
          tags: [k.tag],
          summary: `Replace a ${k.what}'s name, description and rule; it is re-evaluated and the changes are published`,
          params: k.Params,
          body: k.Body,
          response: { 200: Saved, ...errors(404, 409, 422) },
        },
      },
      async (req) => updateSaved(db, k.ref(req.params as Record<string, string>), req.body),
    );
    app.delete(
      k.item,
      {
        config: { roles: WRITE },
        schema: {
          tags: [k.tag],
          summary: `Delete a ${k.what} and its memberships (no exit events); answers what was deleted`,
          params: k.Params,
          response: { 200: Saved, ...errors(404) },
        },
      },
      async (req) => deleteSaved(db, k.ref(req.params as Record<string, string>)),
    );
  }

  app.get(
    '/segments/:id/members',
    {
      config: { roles: READ },
      schema: {
        tags: ['segments'],
        summary: "A segment's members by customer id (root ids), as last evaluated",
        description:
          'JSON pages by default; with `Accept: text/csv` every member id (customer_id, entered_at) is streamed as CSV, ' +
          'cursor and limit ignored: an export, recorded in the audit log and counted by the bulk-access guard as one ' +
          'read per member (a large export raises security.bulk_access).',
        params: Type.Object({ id: Id }),
        querystring: Type.Object({ cursor: Cursor, limit: Limit }),
        response: {
          200: Type.Object({ items: Type.Array(Member), next_cursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors(404, 429),
        },
      },
    },
    async (req, reply) => {
      const ref: Ref = { kind: 'segment', id: req.params.id };
      if (!wantsCsv(req.headers.accept)) {
        const { id } = await getSaved(db, ref);
        return memberPage(db, id, { cursor: req.query.cursor, limit: req.query.limit ?? 50 });
      }
      const { id, size } = await segmentSize(db, ref);
      await personalDataExport(db, ctx.config, req.principal, { action: 'segment.export', subject: id }, size);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="segment-${id}.csv"`)
        .send(Readable.from(membersCsv(db, id)) as never); // a stream is sent as is, not serialised by the JSON schema
    },
  );
};
