import { Type } from '@sinclair/typebox';
import type { ModuleRoutes } from '../http/types';
import { errors, Id } from '../http/schemas';
import { notFound } from '../http/errors';
import { newId } from '../ids';

const WebhookView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  active: Type.Boolean(),
  created_at: Type.String(),
});

const EVENT_NAME = '^(\\*|[a-z_]+(\\.[a-z_]+)+)$';

export const webhookRoutes: ModuleRoutes = (ctx) => async (app) => {
  const admin = { roles: ['admin'] as const };
  const view = (r: { id: string; url: string; events: string[]; active: boolean; created_at: Date }) => ({
    id: r.id, url: r.url, events: r.events, active: r.active, created_at: r.created_at.toISOString(),
  });

  app.post(
    '/webhooks',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Register a webhook; deliveries are signed with HMAC-SHA256 of the secret',
        body: Type.Object({
          url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
          events: Type.Array(Type.String({ pattern: EVENT_NAME, maxLength: 100 }), { minItems: 1, maxItems: 100 }),
          secret: Type.String({ minLength: 16, maxLength: 200 }),
        }, {
          additionalProperties: false,
          examples: [{ url: 'https://erp.example.com/santong/events', events: ['order.placed', 'stock.low'], secret: 'whsec-3f9a1c7e5b2d8046' }],
        }),
        response: { 201: WebhookView, ...errors() },
      },
    },
    async (req, reply) => {
      const row = await ctx.database.db
        .insertInto('webhooks')
        .values({ id: newId('wh'), url: req.body.url, events: req.body.events, secret: req.body.secret })
        .returningAll()
        .executeTakeFirstOrThrow();
      return reply.code(201).send(view(row));
    },
  );

  app.get('/webhooks', { config: admin, schema: { tags: ['platform'], summary: 'The registered webhooks', response: { 200: Type.Object({ items: Type.Array(WebhookView) }), ...errors() } } }, async () => ({
    items: (await ctx.database.db.selectFrom('webhooks').selectAll().orderBy('created_at').execute()).map(view),
  }));

  app.delete(
    '/webhooks/:id',
    { config: admin, schema: { tags: ['platform'], summary: 'Delete a webhook: deliveries to it stop, retries included', params: Type.Object({ id: Id }), response: { 200: WebhookView, ...errors(404) } } },
    async (req) => {
      // Deleting stops deliveries at once: deliveries still waiting for a retry are given up too.
      const row = await ctx.database.db.transaction().execute(async (tx) => {
        const hook = await tx.updateTable('webhooks').set({ active: false }).where('id', '=', req.params.id).returningAll().executeTakeFirst();
        if (hook) {
          await tx.updateTable('webhook_deliveries').set({ status: 'dead', last_error: 'webhook deleted' })
            .where('webhook_id', '=', hook.id).where('status', '=', 'pending').execute();
        }
        return hook;
      });
      if (!row) throw notFound('webhook', 'id');
      return view(row);
    },
  );
};
