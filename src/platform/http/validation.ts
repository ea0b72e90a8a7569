import type { FastifySchemaValidationError } from 'fastify/types/schema';

/**
 * Turns an Ajv error into a dotted field path such as `lines[0].qty`, so the caller
 * is told exactly which field is wrong.
 */
export function fieldOf(err: FastifySchemaValidationError, context: string): string {
  const segments = err.instancePath.split('/').filter((s) => s !== '').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = err.params as Record<string, unknown>;
  if (typeof params.missingProperty === 'string') segments.push(params.missingProperty);
  if (typeof params.additionalProperty === 'string') segments.push(params.additionalProperty);
  let out = '';
  for (const s of segments) out += /^\d+$/.test(s) ? `[${s}]` : out === '' ? s : `.${s}`;
  if (out === '') return context === 'body' ? 'body' : context;
  return out;
}

export function describe(err: FastifySchemaValidationError, field: string): string {
  const params = err.params as Record<string, unknown>;
  if (err.keyword === 'required') return `${field} is required`;
  if (err.keyword === 'additionalProperties') return `${field} is not a known field`;
  if (err.keyword === 'enum' && Array.isArray(params.allowedValues)) return `${field} must be one of ${params.allowedValues.join(', ')}`;
  return `${field} ${err.message ?? 'is invalid'}`;
}

/**
 * The first value PostgreSQL could not take: a string with a NUL character (text and jsonb refuse
 * it) or a number that is not finite. Returns its dotted path (`lines[0].sku`) or null. The walk
 * builds no path strings; the path is written only for the value found.
 */
export function findUnstorable(value: unknown, path = ''): { path: string; problem: string } | null {
  const trail: (string | number)[] = [];
  const problem = unstorable(value, trail);
  if (problem === null) return null;
  let out = path;
  for (let i = trail.length - 1; i >= 0; i--) {
    const s = trail[i];
    out = typeof s === 'number' ? `${out}[${s}]` : out === '' ? s : `${out}.${s}`;
  }
  return { path: out, problem };
}

/** The problem of the first unstorable value, its path pushed onto trail leaf first; null if none. */
function unstorable(value: unknown, trail: (string | number)[]): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? 'must not contain NUL characters' : null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'must be a finite number';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = unstorable(value[i], trail);
      if (bad !== null) {
        trail.push(i);
        return bad;
      }
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      const bad = unstorable(k, trail) ?? unstorable((value as Record<string, unknown>)[k], trail);
      if (bad !== null) {
        trail.push(k);
        return bad;
      }
    }
  }
  return null;
}
