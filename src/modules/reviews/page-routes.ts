import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../platform/http/context';
import { cacheable } from '../../platform/http/cache';
import { pageLang } from '../../platform/http/public-page';
import { rateLimit } from '../../platform/http/rate-limit';
import { getShelfPageSettings } from './order-url';
import { renderMissing, renderShelfPage } from './page';
import { PUBLIC_PER_MINUTE } from './routes';
import { newVisitor, recordScan, VISITOR_COOKIE, visitorOf } from './scan';
import { shelfProduct } from './shelf';

const YEAR_S = 365 * 24 * 3600;

/**
 * The shelf-QR product page, `/p/:sku?store=<location>`: public (no key), server-rendered HTML
 * without script, so it paints at once on a phone. Mounted at the root (not under /v1) by the app.
 * Every request is a scan: it records a `qr_scanned` event of the visitor's anonymous id (a
 * first-party cookie; a sign-in that identifies with it links the scans to the person). The answer
 * is revalidated each time (no-cache + ETag) so scans keep reaching the server, which answers 304
 * when nothing changed.
 */
export function shelfPageRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const db = ctx.database.db;
    app.get(
      '/p/:sku',
      {
        onRequest: rateLimit('product pages', PUBLIC_PER_MINUTE),
        schema: {
          hide: true,
          params: Type.Object({ sku: Type.String({ minLength: 1, maxLength: 64 }) }),
          // open: links shared in WeChat come back with its own parameters (from=, isappinstalled=)
          querystring: Type.Object(
            {
              store: Type.Optional(Type.String({ maxLength: 100 })),
              lang: Type.Optional(Type.String({ maxLength: 10 })),
            },
            { additionalProperties: true },
          ),
        },
      },
      async (req, reply) => {
        const lang = pageLang(req.query.lang, req.headers['accept-language']);
        void reply.type('text/html; charset=utf-8').header('vary', 'Accept-Language, Cookie');
        const product = await shelfProduct(db, req.params.sku, req.query.store || null);
        if (!product) return reply.code(404).send(renderMissing(lang));

        let visitor = visitorOf(req.headers.cookie);
        if (!visitor) {
          visitor = newVisitor();
          void reply.header(
            'set-cookie',
            `${VISITOR_COOKIE}=${visitor}; Path=/; Max-Age=${YEAR_S}; SameSite=Lax${req.protocol === 'https' ? '; Secure' : ''}`,
          );
        }
        await recordScan(ctx.database, ctx.keys, { visitor, sku: product.sku, store: product.store?.id ?? null });

        const { order_url: orderUrl } = await getShelfPageSettings(db);
        const other = new URLSearchParams({
          ...(product.store ? { store: product.store.id } : {}),
          lang: lang === 'en' ? 'zh-CN' : 'en',
        });
        const html = renderShelfPage(product, lang, `/p/${encodeURIComponent(product.sku)}?${other}`, orderUrl);
        return cacheable(req, reply, html, html, 'no-cache');
      },
    );
  };
}
