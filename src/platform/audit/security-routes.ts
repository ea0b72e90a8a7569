import { Type } from '@sinclair/typebox';
import { notFound } from '../http/errors';
import { transact } from '../db/transaction';
import { errors, Id, Limit, StringEnum } from '../http/schemas';
import type { ModuleRoutes } from '../http/types';
import { clearAlert, listAlerts } from './alerts';
import { audit } from './audit';
import { BULK_ACCESS_MODES, bulkAccessMode, setBulkAccessMode } from './bulk';

const AlertSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  key_id: Type.String(),
  raised_at: Type.String(),
  blocking: Type.Boolean({ description: 'the key is refused personal-data reads until this alert is cleared' }),
  details: Type.Record(Type.String(), Type.Unknown()),
  cleared_at: Type.Union([Type.String(), Type.Null()]),
  cleared_by: Type.Union([Type.String(), Type.Null()]),
});
const SettingsSchema = Type.Object(
  {
    bulk_access_mode: StringEnum(BULK_ACCESS_MODES, {
      description:
        'beyond the bulk personal-data read limit: alert only, or also block the key until its alert is cleared',
    }),
  },
  { additionalProperties: false, examples: [{ bulk_access_mode: 'block' }] },
);

/** Security alerts (bulk personal-data reads, pickup code guessing) and their settings, for admins. */
export const securityRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  const admin = { roles: ['admin'] as const };

  app.get(
    '/security/alerts',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Security alerts, newest first: the open ones, or all with include_cleared=true',
        querystring: Type.Object({ include_cleared: Type.Optional(Type.Boolean()), limit: Limit }),
        response: { 200: Type.Object({ items: Type.Array(AlertSchema) }), ...errors() },
      },
    },
    async (req) => ({
      items: await listAlerts(db, { includeCleared: req.query.include_cleared ?? false, limit: req.query.limit ?? 50 }),
    }),
  );

  app.post(
    '/security/alerts/:id/clear',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary:
          'Clear a security alert: a key blocked for bulk reads may read again (its count starts afresh); audited',
        params: Type.Object({ id: Id }),
        response: { 200: AlertSchema, ...errors(404) },
      },
    },
    async (req) => {
      const alert = await clearAlert(db, req.principal, req.params.id);
      if (!alert) throw notFound('security alert', 'id');
      return alert;
    },
  );

  app.get(
    '/security/settings',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Security settings: what happens beyond the bulk personal-data read limit',
        response: { 200: SettingsSchema, ...errors() },
      },
    },
    async () => ({ bulk_access_mode: await bulkAccessMode(db) }),
  );

  app.put(
    '/security/settings',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Change the security settings (audited)',
        body: SettingsSchema,
        response: { 200: SettingsSchema, ...errors() },
      },
    },
    async (req) => {
      await transact(db, async (tx) => {
        await setBulkAccessMode(tx, req.body.bulk_access_mode);
        await audit(tx, req.principal, {
          action: 'security.settings',
          details: { bulk_access_mode: req.body.bulk_access_mode },
        });
      });
      return { bulk_access_mode: await bulkAccessMode(db) };
    },
  );
};
