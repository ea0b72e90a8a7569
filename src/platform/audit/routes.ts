import { Type } from '@sinclair/typebox';
import { badRequest } from '../http/errors';
import { decodeCursor, page } from '../http/pagination';
import { Cursor, errors, Limit } from '../http/schemas';
import type { ModuleRoutes } from '../http/types';
import { erasedSubject } from './audit';
import { securityRoutes } from './security-routes';

const Filter = Type.String({ minLength: 1, maxLength: 200 });

const EntrySchema = Type.Object({
  id: Type.String(),
  at: Type.String(),
  actor_key: Type.Union([Type.String(), Type.Null()]),
  actor_role: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  subject: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

/** The audit log for admins: who did what to personal data and keys, when and why; newest first. Security alerts beside it. */
export const auditRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  await app.register(securityRoutes(ctx));

  app.get(
    '/audit',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['platform'],
        summary:
          'The audit log, newest first; filter by action (exact, or a prefix ending in "."), subject and actor key',
        description:
          'A subject whose personal data was erased is logged under a keyed hash of its id; filtering by the plain id finds those entries too.',
        querystring: Type.Object({
          action: Type.Optional(Filter),
          subject: Type.Optional(Filter),
          actor: Type.Optional(Filter),
          cursor: Cursor,
          limit: Limit,
        }),
        response: {
          200: Type.Object({ items: Type.Array(EntrySchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors(),
        },
      },
    },
    async (req) => {
      const { action, subject, actor } = req.query;
      const limit = req.query.limit ?? 50;
      const after = decodeCursor(req.query.cursor, 1);
      if (after && !/^\d{1,18}$/.test(String(after[0]))) throw badRequest('cursor is not valid', 'cursor');
      let q = db
        .selectFrom('audit_log')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (action)
        q = action.endsWith('.')
          ? q.where('action', 'like', action.replace(/[\\%_]/g, '\\$&') + '%')
          : q.where('action', '=', action);
      if (subject) q = q.where('subject', 'in', [subject, erasedSubject(ctx.keys, subject)]);
      if (actor) q = q.where('actor_key', '=', actor);
      if (after) q = q.where('id', '<', String(after[0]));
      const rows = await q.execute();
      const items = rows.map((r) => ({
        id: String(r.id),
        at: r.at.toISOString(),
        actor_key: r.actor_key,
        actor_role: r.actor_role,
        action: r.action,
        subject: r.subject,
        reason: r.reason,
        details: r.details ?? {},
      }));
      return page(items, limit, (e) => [e.id]);
    },
  );
};
