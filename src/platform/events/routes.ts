import { Type } from '@sinclair/typebox';
import type { ModuleRoutes } from '../http/types';
import { errors, Id } from '../http/schemas';
import { notFound, unprocessable } from '../http/errors';
import { newId } from '../ids';
import { checkOutboundUrl, UnsafeUrlError } from '../net/safe-url';
import { transact } from '../db/transaction';

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
    id: r.id,
    url: r.url,
    events: r.events,
    active: r.active,
    created_at: r.created_at.toISOString(),
  });

  app.post(
    '/webhooks',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Register a webhook; deliveries are signed with HMAC-SHA256 of the secret',
        description:
          'The URL must be http(s) and resolve to public addresses only (checked again at every delivery); ' +
          'redirects are not followed. SANTONG_ALLOW_PRIVATE_WEBHOOKS=1 allows private addresses for development.',
        body: Type.Object(
          {
            url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
            events: Type.Array(Type.String({ pattern: EVENT_NAME, maxLength: 100 }), { minItems: 1, maxItems: 100 }),
            secret: Type.String({ minLength: 16, maxLength: 200 }),
          },
          {
            additionalProperties: false,
            examples: [
              {
                url: 'https://erp.example.com/santong/events',
                events: ['order.placed', 'stock.low'],
                secret: 'whsec-3f9a1c7e5b2d8046',
              },
            ],
          },
        ),
        response: { 201: WebhookView, ...errors(422) },
      },
    },
    async (req, reply) => {
      try {
        await checkOutboundUrl(req.body.url, ctx.config.allowPrivateWebhooks);
      } catch (err) {
        if (err instanceof UnsafeUrlError)
          throw unprocessable('url_not_allowed', `webhook URL refused: ${err.message}`, 'url');
        throw err;
      }
      const row = await ctx.database.db
        .insertInto('webhooks')
        .values({ id: newId('wh'), url: req.body.url, events: req.body.events, secret: req.body.secret })
        .returningAll()
        .executeTakeFirstOrThrow();
      return reply.code(201).send(view(row));
    },
  );

  app.get(
    '/webhooks',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'The registered webhooks',
        response: { 200: Type.Object({ items: Type.Array(WebhookView) }), ...errors() },
      },
    },
    async () => ({
      items: (await ctx.database.db.selectFrom('webhooks').selectAll().orderBy('created_at').execute()).map(view),
    }),
  );

  app.delete(
    '/webhooks/:id',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Delete a webhook: deliveries to it stop, retries included',
        params: Type.Object({ id: Id }),
        response: { 200: WebhookView, ...errors(404) },
      },
    },
    async (req) => {
      // Deleting stops deliveries at once: deliveries still waiting for a retry are given up too.
      const row = await transact(ctx.database.db, async (tx) => {
        const hook = await tx
          .updateTable('webhooks')
          .set({ active: false })
          .where('id', '=', req.params.id)
          .returningAll()
          .executeTakeFirst();
        if (hook) {
          await tx
            .updateTable('webhook_deliveries')
            .set({ status: 'dead', last_error: 'webhook deleted' })
            .where('webhook_id', '=', hook.id)
            .where('status', '=', 'pending')
            .execute();
        }
        return hook;
      });
      if (!row) throw notFound('webhook', 'id');
      return view(row);
    },
  );
};
