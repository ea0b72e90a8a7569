import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * Query strings are closed: every /v1 route takes only the query parameters its schema declares,
 * so `?staus=paid` (a typo) or `?from=…` on a route without a date range is a 400 naming the
 * parameter instead of a 200 that silently ignores it. A route declares its parameters as
 * `schema.querystring: Type.Object({...})`; a route that declares none takes none. A schema that
 * sets `additionalProperties` itself keeps its own choice (the one way to take open-ended keys).
 * Values are checked by the declared schema (enums for closed sets), which Ajv coerces from text.
 */
export function closeQueryStrings(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith('/v1/')) return;
    route.schema = { ...route.schema, querystring: closed(route.schema?.querystring) };
  });
}

const NONE = { type: 'object', properties: {}, additionalProperties: false } as const;

function closed(schema: unknown): unknown {
  if (schema === undefined) return NONE;
  if (typeof schema !== 'object' || schema === null || 'additionalProperties' in schema) return schema;
  return { ...schema, additionalProperties: false };
}
