import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Principal, Role } from '../auth/roles';
import type { AppContext } from './context';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route; every /v1 route must declare them. */
    roles?: readonly Role[];
    /** Routes that accept Idempotency-Key; on by default for POST, PUT and DELETE. */
    idempotent?: boolean;
    /** Top-level response fields shown once and never kept for idempotent replays (an API key's secret). */
    secretFields?: readonly string[];
    /** No API key: the route authenticates its caller itself (e.g. a signed courier callback). */
    public?: boolean;
    /** The handler refuses text PostgreSQL cannot store itself, item by item (a batch of events). */
    checksOwnText?: boolean;
  }
  interface FastifyInstance {
    /** Drops cached API-key lookups (after a key is revoked). */
    forgetPrincipals(): void;
  }
  interface FastifyRequest {
    principal: Principal;
    idempotencyClaim: { apiKeyId: string; key: string } | null;
  }
}

/** A module's routes: a Fastify plugin built from the shared context, mounted under /v1. */
export type ModuleRoutes = (ctx: AppContext) => FastifyPluginAsyncTypebox;
