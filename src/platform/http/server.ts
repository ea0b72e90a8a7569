import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import AjvCompiler from '@fastify/ajv-compiler';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { authenticate, hashKey } from '../auth/keys';
import { authenticateSession, CSRF_HEADER, sessionCookie } from '../auth/users';
import { registerAuthorization } from '../auth/policy';
import type { Principal } from '../auth/roles';
import { registerIdempotency } from '../idempotency/idempotency';
import type { AppContext } from './context';
import { AppError, errorBody, unauthorized } from './errors';
import { closeQueryStrings } from './closed-query';
import { ErrorSchema } from './schemas';
import type { ModuleRoutes } from './types';
import { describe, fieldOf, findUnstorable, jsonDepthGuard, MAX_JSON_DEPTH } from './validation';
import { loggableError } from '../logging';
import { contactDataIn } from '../privacy/contact-data';
import './types';

const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web', 'dist');
/**
 * How long a key lookup is trusted. A key revoked on another process stops working there within
 * this (the lookup is timed from its start, so strictly within 1 s); one lookup per key per second
 * is nothing next to the requests a busy key makes.
 */
const PRINCIPAL_TTL_MS = 1000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Builds the HTTP server: error shape, auth, roles, idempotency, OpenAPI docs, console, modules. */
export async function buildServer(ctx: AppContext, modules: ModuleRoutes[]): Promise<FastifyInstance> {
  const buildAjv = AjvCompiler();
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    genReqId: () => Math.random().toString(36).slice(2, 12),
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: false,
        // free text (notes, reasons) must not carry contact data: it would sit there unsealed
        formats: { 'free-text': { type: 'string', validate: (s: string) => contactDataIn(s) === null } },
      },
    },
    schemaController: {
      compilersFactory: {
        // Query strings, path params and headers arrive as text and are coerced to the declared
        // types; JSON bodies are taken as sent, so 12345 is not a string, "5" or null not a number,
        // and a bare value not an array.
        buildValidator(externalSchemas, options) {
          const coercing = buildAjv(externalSchemas, options);
          const strict = buildAjv(externalSchemas, {
            ...options,
            customOptions: { ...options?.customOptions, coerceTypes: false },
          } as typeof options);
          return (route) => (route.httpPart === 'body' ? strict : coercing)(route);
        },
      },
    },
    // URLs the router cannot take (bad percent-encoding, a parameter over 100 characters) get
    // the same error shape as everything else.
    frameworkErrors: (err, _req, reply) => {
      const status = err.statusCode === 414 ? 414 : 400;
      const message = status === 414 ? 'a path segment is too long' : 'the URL is not valid (bad percent-encoding)';
      void (reply as FastifyReply)
        .code(status)
        .send(errorBody(new AppError(status, 'invalid_request', message, 'path')));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addSchema(ErrorSchema);

  // JSON nested deeper than any of our bodies is refused while it arrives, before it is parsed
  // (recursion over it would overflow the stack), whichever parser a route uses.
  app.addHook('preParsing', async (req, _reply, payload) =>
    (req.headers['content-type'] ?? '').includes('json') ? payload.pipe(jsonDepthGuard(MAX_JSON_DEPTH)) : payload,
  );

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) return reply.code(err.status).send(errorBody(err));
    if (err.validation && err.validation.length > 0) {
      const v = err.validation[0];
      const field = fieldOf(v, err.validationContext ?? 'body');
      if (v.keyword === 'format' && (v.params as { format?: string }).format === 'free-text') {
        const message = `${field} looks like it holds a phone number or e-mail address: free text must not carry contact data`;
        return reply.code(422).send(errorBody(new AppError(422, 'contact_data_in_free_text', message, field)));
      }
      return reply.code(400).send(errorBody(new AppError(400, 'validation_error', describe(v, field), field)));
    }
    const status = err.statusCode ?? 500;
    if (status === 413)
      return reply
        .code(413)
        .send(
          errorBody(
            new AppError(413, 'payload_too_large', `request body exceeds ${ctx.config.bodyLimitBytes} bytes`, 'body'),
          ),
        );
    if (status >= 400 && status < 500) {
      const code = err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : 'invalid_request';
      const message =
        err instanceof SyntaxError || /JSON/i.test(err.message) ? 'request body is not valid JSON' : err.message;
      return reply.code(status).send(errorBody(new AppError(status, code, message, 'body')));
    }
    req.log.error({ error: loggableError(err), route: req.routeOptions?.url ?? '(unmatched)' }, 'unhandled error');
    return reply.code(500).send(errorBody(new AppError(500, 'internal_error', 'internal error')));
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Santong API',
        version: ctx.version,
        description: 'One API for every channel: goods, channels and people.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  // Every /v1 route must say which roles may call it: a route without roles fails at start.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1/') && !route.config?.roles && !route.config?.public)
      throw new Error(`route ${route.method} ${route.url} declares no roles`);
  });
  closeQueryStrings(app);

  // The pending lookup is cached too, so a burst of requests with one key reads it once.
  const principals = new Map<string, { p: Promise<Principal | null>; at: number }>();
  app.decorateRequest('principal', null as unknown as Principal);
  const lookup = (kind: 'key' | 'session', secret: string): Promise<Principal | null> => {
    const h = kind + ':' + hashKey(secret);
    let cached = principals.get(h);
    if (!cached || Date.now() - cached.at > PRINCIPAL_TTL_MS) {
      cached = {
        p: kind === 'key' ? authenticate(ctx.database.db, secret) : authenticateSession(ctx.database.db, secret),
        at: Date.now(),
      };
      if (principals.size > 10000) principals.clear();
      principals.set(h, cached);
      cached.p.catch(() => principals.delete(h));
    }
    return cached.p;
  };
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/v1/') || req.routeOptions.config?.public) return;
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (match) {
      const principal = await lookup('key', match[1]);
      if (!principal) throw unauthorized('API key is unknown or revoked');
      req.principal = principal;
      return;
    }
    // A staff member signed in to the console: the session cookie stands for their account's role
    // and store, decided by the same authorization layer as a key's.
    const token = sessionCookie(req.headers.cookie);
    if (!token) throw unauthorized();
    const principal = await lookup('session', token);
    if (!principal)
      throw new AppError(401, 'session_expired', 'the session has expired or was signed out: sign in again');
    // CSRF: a write made with the cookie must carry the console's header, which a form or a
    // cross-site page cannot set without a CORS preflight (which this server never grants).
    if (!SAFE_METHODS.has(req.method) && req.headers[CSRF_HEADER] !== '1')
      throw new AppError(
        403,
        'csrf_header_required',
        `a write signed in with the session cookie needs the header ${CSRF_HEADER}: 1`,
      );
    req.principal = principal;
  });
  registerAuthorization(app, ctx.database.db);
  // Text PostgreSQL cannot store (NUL, unpaired surrogates) and numbers that are not finite ("Infinity" in a query
  // string passes Ajv's coercion) are refused here rather than failing in the database.
  app.addHook('preHandler', async (req) => {
    const body = req.routeOptions.config?.checksOwnText ? undefined : req.body;
    for (const [part, value] of [
      ['params', req.params],
      ['querystring', req.query],
      ['body', body],
    ] as const) {
      const bad = findUnstorable(value);
      if (bad)
        throw new AppError(
          400,
          'validation_error',
          `${bad.path === '' ? part : bad.path} ${bad.problem}`,
          bad.path === '' ? part : bad.path,
        );
    }
  });
  app.decorate('forgetPrincipals', () => principals.clear());
  app.decorate('admitInProcess', (secret: string, principal: Principal) => {
    const h = 'key:' + hashKey(secret);
    principals.set(h, { p: Promise.resolve(principal), at: Infinity });
    return () => principals.delete(h);
  });
  registerIdempotency(app, ctx.database, ctx.keys.derive('idempotency'));

  app.get(
    '/health',
    {
      schema: {
        tags: ['platform'],
        security: [],
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            db: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
            version: Type.String(),
          }),
        },
      },
    },
    async () => {
      await sql`SELECT 1`.execute(ctx.database.db);
      return { status: 'ok' as const, db: ctx.database.kind, version: ctx.version };
    },
  );

  await app.register(
    async (v1) => {
      for (const m of modules) await v1.register(m(ctx));
    },
    { prefix: '/v1' },
  );

  const hasConsole = fs.existsSync(path.join(webDist, 'index.html'));
  if (hasConsole) await app.register(fastifyStatic, { root: webDist, prefix: '/', wildcard: false });
  app.setNotFoundHandler((req, reply) => {
    const wantsPage =
      req.method === 'GET' && !req.url.startsWith('/v1/') && (req.headers.accept ?? '').includes('text/html');
    if (wantsPage && hasConsole) return reply.type('text/html').sendFile('index.html');
    return reply
      .code(404)
      .send(errorBody(new AppError(404, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`)));
  });

  return app;
}
