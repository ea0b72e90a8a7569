import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../platform/http/context';
import { cacheable } from '../../platform/http/cache';
import { pageLang } from '../../platform/http/public-page';
import { rateLimit } from '../../platform/http/rate-limit';
import { orderUrlTemplate, sharedCampaign } from './share';
import { renderShareMissing, renderSharePage } from './share-page';

/** Requests a minute per client address to the share pages (then 429 rate_limited). */
export const SHARE_PER_MINUTE = 120;

/**
 * A leader's share page of a campaign, `/gb/:campaign?leader=<id>` (the campaign's share link):
 * public (no key), server-rendered HTML without script, mobile first, zh-CN or en. Rate-limited per
 * client address; cacheable for half a minute (ETag, If-None-Match → 304), so a link passed around
 * a WeChat group costs the server little while the sold counts stay nearly live. Mounted at the
 * root (not under /v1) by the app.
 */
export function groupBuyPageRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const db = ctx.database.db;
    app.get(
      '/gb/:campaign',
      {
        onRequest: rateLimit('group-buy pages', SHARE_PER_MINUTE),
        schema: {
          hide: true,
          params: Type.Object({ campaign: Type.String({ minLength: 1, maxLength: 100 }) }),
          // open: links shared in WeChat come back with its own parameters (from=, isappinstalled=)
          querystring: Type.Object(
            {
              leader: Type.Optional(Type.String({ maxLength: 100 })),
              lang: Type.Optional(Type.String({ maxLength: 10 })),
            },
            { additionalProperties: true },
          ),
        },
      },
      async (req, reply) => {
        const lang = pageLang(req.query.lang, req.headers['accept-language']);
        void reply.type('text/html; charset=utf-8').header('vary', 'Accept-Language');
        const c = req.query.leader ? await sharedCampaign(db, req.params.campaign, req.query.leader) : null;
        if (!c) return reply.code(404).send(renderShareMissing(lang));
        const other = new URLSearchParams({ leader: c.leader.id, lang: lang === 'en' ? 'zh-CN' : 'en' });
        const html = renderSharePage(
          c,
          lang,
          ctx.config.timezone,
          `/gb/${encodeURIComponent(c.id)}?${other}`,
          await orderUrlTemplate(db),
        );
        return cacheable(req, reply, html, html, 'public, max-age=30');
      },
    );
  };
}
