import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Principal, Role } from '../auth/roles';
import type { Claim } from '../idempotency/key-store';
import type { AppContext } from './context';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route; every /v1 route must declare them. */
    roles?: readonly Role[];
    /** Routes that accept Idempotency-Key; on by default for POST, PUT and DELETE. */
    idempotent?: boolean;
    /** Top-level response fields shown once and never kept for idempotent replays (an API key's secret). */
    secretFields?: readonly string[];
    /**
     * The handler stores its Idempotency-Key in the statement that has its effect (keyInWrite in
     * platform/idempotency): no claim statement before it runs. Only for a handler whose every
     * effect is that one statement, so an answer without it had no effect.
     */
    recordsIdempotency?: boolean;
    /** No API key: the route authenticates its caller itself (e.g. a signed courier callback). */
    public?: boolean;
    /** The handler refuses text PostgreSQL cannot store itself, item by item (a batch of events). */
    checksOwnText?: boolean;
  }
  interface FastifyInstance {
    /** Drops cached API-key lookups (after a key is revoked). */
    forgetPrincipals(): void;
    /**
     * Lets in-process requests (inject) authenticate as `principal` with `secret` until the returned
     * function is called. For the warm-up before the server listens; never for a listening server.
     */
    admitInProcess(secret: string, principal: Principal): () => void;
  }
  interface FastifyRequest {
    principal: Principal;
    /** deferred: not claimed yet (recordsIdempotency); stored: the handler's write stored the answer. */
    idempotencyClaim: {
      apiKeyId: string;
      key: string;
      deferred: Claim | null;
      stored: boolean;
    } | null;
  }
}

/** A module's routes: a Fastify plugin built from the shared context, mounted under /v1. */
export type ModuleRoutes = (ctx: AppContext) => FastifyPluginAsyncTypebox;
