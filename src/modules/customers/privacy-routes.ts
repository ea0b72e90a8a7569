import { Type } from '@sinclair/typebox';
import { personalDataRead } from '../../platform/audit/bulk';
import { auditRoutes } from '../../platform/audit/routes';
import { open } from '../../platform/crypto/keys';
import { AppError, notFound } from '../../platform/http/errors';
import { errors, FreeText, Id, StringEnum } from '../../platform/http/schemas';
import { visibleText } from '../../platform/privacy/contact-data';
import type { ModuleRoutes } from '../../platform/http/types';
import { CONSENT_CHANNELS, CONSENT_PURPOSES, readConsents, recordConsent } from './consent';
import { eraseCustomer } from './erasure';
import { IDENTIFIER_TYPES } from './identifiers';
import { dataKeyOf, groupIds, rootOf } from './identity';
import { ConsentStateSchema } from './routes';
import { traitRoutes } from './trait-routes';
import { assertOwnChannel } from '../../platform/auth/channel';

const ConsentRecordSchema = Type.Object({
  customer_id: Type.String(),
  purpose: Type.String(),
  granted: Type.Boolean(),
  at: Type.String(),
  channel: Type.String(),
  source: Type.String(),
});
const Source = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[A-Za-z0-9_.:/-]+$',
  description: 'where the consent was captured, e.g. signup_form, pos_prompt:v2 (no personal data)',
});
const people = ['admin', 'support', 'store_staff', 'marketer', 'analyst'] as const;
const MIN_REASON = 8;

/**
 * A reveal's reason must say something: at least MIN_REASON letters or digits once invisible
 * characters, punctuation, symbols and spaces are gone, with a letter and three distinct characters
 * (not "....." nor five zero-width spaces nor "aaaaaaaa").
 */
function isRealReason(reason: string): boolean {
  const chars = [...visibleText(reason).replace(/[^\p{L}\p{N}]/gu, '')];
  return chars.length >= MIN_REASON && chars.some((c) => /\p{L}/u.test(c)) && new Set(chars).size >= 3;
}

/**
 * People, privacy: consent per purpose, support's audited reveal of an identifier, the right to
 * erasure; the trait schema and the platform's audit log (mounted here so the module list gains
 * one entry).
 */
export const privacyRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  await app.register(auditRoutes(ctx));
  await app.register(traitRoutes(ctx));

  app.put(
    '/customers/:id/consents/:purpose',
    {
      config: { roles: ['admin', 'support', 'store_staff', 'integration'], scope: 'customers' },
      schema: {
        tags: ['people'],
        summary:
          'Record a consent (granted or withdrawn) for one purpose; the history is kept, the latest record is in force',
        params: Type.Object({ id: Id, purpose: StringEnum(CONSENT_PURPOSES) }),
        body: Type.Object(
          { granted: Type.Boolean(), channel: StringEnum(CONSENT_CHANNELS), source: Source },
          { additionalProperties: false, examples: [{ granted: true, channel: 'app', source: 'signup_form' }] },
        ),
        response: { 200: ConsentRecordSchema, ...errors(404) },
      },
    },
    async (req) => {
      assertOwnChannel(req.principal, req.body.channel, 'records consent');
      const { root, ...rec } = await recordConsent(
        ctx.database,
        req.params.id,
        req.params.purpose,
        req.body,
        req.principal,
      );
      return { ...rec, customer_id: root };
    },
  );

  app.get(
    '/customers/:id/consents',
    {
      config: { roles: people },
      schema: {
        tags: ['people'],
        summary:
          'Consent in force per purpose (not granted unless recorded) and the full history, across the merged group',
        params: Type.Object({ id: Id }),
        response: {
          200: Type.Object({
            customer_id: Type.String(),
            consents: Type.Array(ConsentStateSchema),
            history: Type.Array(ConsentRecordSchema),
          }),
          ...errors(404),
        },
      },
    },
    async (req) => {
      const c = await readConsents(db, req.params.id);
      if (!c) throw notFound('customer', 'id');
      return c;
    },
  );

  app.post(
    '/customers/:id/reveal',
    {
      // The answer holds plaintext: never stored as an idempotent replay.
      config: { roles: ['admin', 'support'], idempotent: false },
      schema: {
        tags: ['people'],
        summary: 'Show the full value(s) of one identifier type, with a reason; audited (customer.reveal)',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            type: StringEnum(IDENTIFIER_TYPES),
            reason: FreeText(500, { minLength: 1, description: `why, in at least ${MIN_REASON} letters or digits` }),
          },
          {
            additionalProperties: false,
            examples: [{ type: 'phone', reason: 'customer called about a late delivery' }],
          },
        ),
        response: {
          200: Type.Object({
            customer_id: Type.String(),
            type: Type.String(),
            values: Type.Array(
              Type.Object({
                value: Type.String(),
                masked: Type.String(),
                first_seen: Type.String(),
                last_seen: Type.String(),
              }),
            ),
          }),
          ...errors(404),
        },
      },
    },
    async (req, reply) => {
      const reason = req.body.reason.trim();
      if (!isRealReason(reason)) {
        throw new AppError(
          400,
          'validation_error',
          `reason must say why, in at least ${MIN_REASON} letters or digits`,
          'reason',
        );
      }
      const root = await rootOf(db, req.params.id);
      if (!root) throw notFound('customer', 'id');
      const members = await groupIds(db, root);
      const rows = await db
        .selectFrom('customer_identifiers as ci')
        .innerJoin('customers as c', 'c.id', 'ci.customer_id')
        .select(['ci.value_enc', 'ci.masked', 'ci.first_seen', 'ci.last_seen', 'c.data_key'])
        .where('ci.customer_id', 'in', members)
        .where('ci.type', '=', req.body.type)
        .orderBy('ci.last_seen', 'desc')
        .execute();
      await personalDataRead(db, ctx.config, req.principal, {
        action: 'customer.reveal',
        subject: root,
        reason,
        details: { type: req.body.type, count: rows.length },
      });
      reply.header('cache-control', 'no-store');
      return {
        customer_id: root,
        type: req.body.type,
        values: rows
          .filter((r) => r.value_enc && r.data_key)
          .map((r) => ({
            value: open(dataKeyOf(ctx.keys, r), r.value_enc!).toString('utf8'),
            masked: r.masked,
            first_seen: r.first_seen.toISOString(),
            last_seen: r.last_seen.toISOString(),
          })),
      };
    },
  );

  app.delete(
    '/customers/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['people'],
        summary:
          "Right to erasure: the person's personal data is removed or made unreadable everywhere; sales figures stay",
        description:
          'Erases the whole One ID group the id belongs to, in one transaction: status is `completed` when the answer arrives. ' +
          'Refused with 409 open_orders while an order of the person is still in progress. Publishes customer.erased.',
        params: Type.Object({ id: Id }),
        response: {
          202: Type.Object({ erasure_id: Type.String(), status: Type.Literal('completed') }),
          ...errors(404, 409),
        },
      },
    },
    async (req, reply) =>
      reply.code(202).send(await eraseCustomer(ctx.database, ctx.keys, req.params.id, req.principal)),
  );
};
