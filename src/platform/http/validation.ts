import { Transform } from 'node:stream';
import type { FastifySchemaValidationError } from 'fastify/types/schema';
import { AppError } from './errors';

/**
 * Turns an Ajv error into a dotted field path such as `lines[0].qty`, so the caller
 * is told exactly which field is wrong.
 */
export function fieldOf(err: FastifySchemaValidationError, context: string): string {
  const segments = err.instancePath
    .split('/')
    .filter((s) => s !== '')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
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
  if (err.keyword === 'enum' && Array.isArray(params.allowedValues))
    return `${field} must be one of ${params.allowedValues.join(', ')}`;
  return `${field} ${err.message ?? 'is invalid'}`;
}

// An unpaired UTF-16 surrogate: JSON can carry it (\ud800), PostgreSQL's text and json cannot.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be stored as text, or null. */
export function unstorableText(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  return LONE_SURROGATE.test(s) ? 'is not valid Unicode (an unpaired surrogate)' : null;
}

/**
 * The first value PostgreSQL could not take: a string (value or key) with a NUL character or an
 * unpaired surrogate (text and jsonb refuse both) or a number that is not finite. Returns its
 * dotted path (`lines[0].sku`) or null. The walk
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
  if (typeof value === 'string') return unstorableText(value);
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
      const badKey = unstorable(k, trail);
      if (badKey !== null) {
        // the path names the key without echoing what could not be stored
        trail.push(k.replace(/[\ud800-\udfff]/g, '\ufffd').replaceAll('\u0000', '\ufffd'));
        return `(a key) ${badKey}`;
      }
      const bad = unstorable((value as Record<string, unknown>)[k], trail);
      if (bad !== null) {
        trail.push(k);
        return bad;
      }
    }
  }
  return null;
}

/** The deepest nesting of objects and arrays a JSON body may have (a RangeError waits deeper down). */
export const MAX_JSON_DEPTH = 32;

/**
 * Passes a JSON body through unchanged, failing it with a 400 naming `body` as soon as objects and
 * arrays nest deeper than max. Works on the bytes as they arrive (the characters that count are
 * ASCII, never part of a UTF-8 sequence), remembering across chunks whether it is inside a string.
 */
export function jsonDepthGuard(max: number): Transform {
  const state = { depth: 0, inString: false, escaped: false };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      // locals, written back once: a closure's variables are slow to update byte by byte
      let { depth, inString, escaped } = state;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 92) escaped = true;
          else if (c === 34) inString = false;
        } else if (c === 34) inString = true;
        else if (c === 123 || c === 91) {
          if (++depth > max)
            return done(new AppError(400, 'invalid_request', `request body nests deeper than ${max} levels`, 'body'));
        } else if (c === 125 || c === 93) depth--;
      }
      Object.assign(state, { depth, inString, escaped });
      done(null, chunk);
    },
  });
}
