/**
 * Malformed input on every /v1 route, driven by the server's own OpenAPI document: whatever a
 * client sends, the answer is a 4xx in the one error shape, never a 5xx, and validation errors
 * name the offending field. Routes added later are covered without touching this file; if a
 * route's schema is so specific that no valid sample can be built for it (a pattern none of the
 * candidates below matches), give the schema an `examples` value.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type ApiResponse } from './server';

type Schema = Record<string, any>;
type Segment = string | number;

interface Operation {
  parameters?: { in: string; name: string; required?: boolean; schema: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  summary?: string;
  /** `[]` on a route that takes no API key: public, or authenticating its caller by a signature (its summary says so). */
  security?: unknown[];
}

interface Route {
  method: string;
  /** OpenAPI path, e.g. /v1/api-keys/{id}. */
  path: string;
  op: Operation;
}

interface Case {
  label: string;
  method: string;
  /** Path and query string, already encoded. */
  url: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** The field the error must name: one value, or any of a list (a missing required field). */
  field?: string | string[];
  /** Exact status expected, when it is known. */
  status?: number;
  /** Refused by the router, before any hook of the route runs. */
  byRouter?: boolean;
}

const s = await startTestServer();
afterAll(async () => s?.close());

const doc = (await s.api('GET', '/docs/json', undefined, { key: null })).body as {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const routes: Route[] = Object.entries(doc.paths)
  .filter(([p]) => p.startsWith('/v1/'))
  .flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m]) => METHODS.includes(m))
      .map(([m, op]) => ({ method: m.toUpperCase(), path, op })),
  );

// ---------------------------------------------------------------------------------------------
// Schemas: resolve references, build a valid sample, and list values that break each keyword.

function resolve(schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) {
    const name = s.$ref.replace(/^#\/components\/schemas\//, '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolvable $ref ${s.$ref}`);
    s = target;
  }
  if (Array.isArray(s.allOf)) {
    const parts = s.allOf.map(resolve);
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((p: Schema) => p.properties ?? {})),
      required: parts.flatMap((p: Schema) => p.required ?? []),
      ...(parts.some((p: Schema) => p.additionalProperties === false) ? { additionalProperties: false } : {}),
    };
  }
  return s;
}

function typeOf(s: Schema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t: string) => t !== 'null');
  if (s.type) return s.type;
  if (s.properties) return 'object';
  if (s.items) return 'array';
  return undefined;
}

/** Positional item schemas of a tuple (`items: [...]` or `prefixItems`), else null. */
const tupleItems = (s: Schema): Schema[] | null =>
  Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : null;
const nullable = (s: Schema) => (Array.isArray(s.type) && s.type.includes('null')) || s.nullable === true;
const branches = (s: Schema): Schema[] | null =>
  Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : null;

const FORMAT_SAMPLES: Record<string, string> = {
  uri: 'https://example.com/hook',
  url: 'https://example.com/hook',
  email: 'someone@example.com',
  'date-time': '2024-06-18T10:00:00.000Z',
  date: '2024-06-18',
  time: '10:00:00Z',
  uuid: '0f8fad5b-d9cb-469f-a165-70867728950e',
};
/** A value outside a format that any text would otherwise fit (free text refuses contact data). */
const FORMAT_BAD: Record<string, string> = { 'free-text': 'call me on 13800138000' };
const STRING_CANDIDATES = [
  'a',
  'abc',
  'a.b',
  'order.created',
  'https://example.com/hook',
  'st-renmin',
  'SKU00001',
  'A1',
  'x_1',
  '1',
  'zz',
  '10:00',
  '2024-06-18',
  '2024-06',
  '+8613800138000',
  'CNY',
  'allocated',
];

function formatOk(s: Schema, v: string): boolean {
  switch (s.format) {
    case undefined:
      return true;
    case 'uri':
    case 'url':
      return URL.canParse(v);
    case 'email':
      return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v);
    case 'date-time':
    case 'date':
      return !Number.isNaN(Date.parse(v));
    default:
      return v === FORMAT_SAMPLES[s.format];
  }
}

function stringOk(s: Schema, v: string): boolean {
  const len = [...v].length;
  if (s.minLength !== undefined && len < s.minLength) return false;
  if (s.maxLength !== undefined && len > s.maxLength) return false;
  if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) return false;
  if (s.enum && !s.enum.includes(v)) return false;
  return formatOk(s, v);
}

function sampleString(s: Schema): string {
  const candidates = [
    ...(s.format && FORMAT_SAMPLES[s.format] ? [FORMAT_SAMPLES[s.format]] : []),
    ...STRING_CANDIDATES,
  ];
  for (const c of candidates) {
    const padded = s.minLength && c.length < s.minLength ? c + c.slice(-1).repeat(s.minLength - c.length) : c;
    if (stringOk(s, padded)) return padded;
  }
  throw new Error(`no valid sample for string schema ${JSON.stringify(s)}: add \`examples\``);
}

function sampleNumber(s: Schema, integer: boolean): number {
  let v = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
  if (s.maximum !== undefined && v > s.maximum) v = s.maximum;
  if (integer) v = Math.ceil(v);
  if (s.multipleOf) v = Math.ceil(v / s.multipleOf) * s.multipleOf;
  return v;
}

/** A value the schema accepts. */
function sample(schema: Schema): unknown {
  const s = resolve(schema);
  if ('const' in s) return s.const;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const bs = branches(s);
  if (bs) return sample(bs.find((b) => resolve(b).type !== 'null') ?? bs[0]);
  switch (typeOf(s)) {
    case 'string':
      return sampleString(s);
    case 'integer':
      return sampleNumber(s, true);
    case 'number':
      return sampleNumber(s, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const tuple = tupleItems(s);
      if (tuple) return tuple.map(sample);
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items ?? {}));
    }
    case 'object':
      return Object.fromEntries((s.required ?? []).map((k: string) => [k, sample(s.properties?.[k] ?? {})]));
    default:
      return 'a';
  }
}

/** A value the schema accepts, an object with at least the properties its minProperties asks for. */
function fullSample(schema: Schema): unknown {
  const s = resolve(schema);
  const v = sample(s);
  if (typeOf(s) !== 'object' || !s.properties || v === null || typeof v !== 'object') return v;
  const out = v as Record<string, unknown>;
  for (const [name, prop] of Object.entries<Schema>(s.properties)) {
    if (Object.keys(out).length >= (s.minProperties ?? 0)) break;
    if (!(name in out)) out[name] = sample(prop);
  }
  return out;
}

const HUGE = 1e300;

/**
 * Values a JSON body must not be accepted with, for one property. Strict: a JSON client that
 * sends 12345 for a string, "12" for an integer, null, or a bare value for an array is refused.
 */
function badJsonValues(schema: Schema, valid: unknown): { label: string; value: unknown }[] {
  const s = resolve(schema);
  const out: { label: string; value: unknown }[] = [];
  const bs = branches(s);
  if (bs) {
    if (!bs.some((b) => ['object', undefined].includes(typeOf(resolve(b)))))
      out.push({ label: 'object where none of the alternatives is one', value: { zz: 1 } });
    return out;
  }
  if (Array.isArray(s.enum) && s.enum.every((e: unknown) => typeof e === 'string'))
    out.push({ label: 'unknown enum value', value: 'zz_not_a_value' });
  const t = typeOf(s);
  const notNull = (label: string, value: unknown) => {
    if (value !== null || !nullable(s)) out.push({ label, value });
  };
  switch (t) {
    case 'string': {
      notNull('number where string', 12345);
      notNull('array where string', [String(valid)]);
      notNull('null where string', null);
      const str = String(valid);
      if (s.maxLength !== undefined)
        out.push({
          label: `string over maxLength ${s.maxLength}`,
          value: str + 'a'.repeat(Math.max(1, s.maxLength + 1 - str.length)),
        });
      if (s.minLength !== undefined && s.minLength > 0)
        out.push({ label: `string under minLength ${s.minLength}`, value: str.slice(0, s.minLength - 1) });
      if (s.pattern !== undefined) {
        const bad = ['has space!', '<script>', '../..', ''].find((c) => !new RegExp(s.pattern, 'u').test(c));
        if (bad !== undefined) out.push({ label: `string not matching ${s.pattern}`, value: bad });
      }
      if (s.format && s.pattern === undefined) {
        out.push({
          label: `string not in format ${s.format}`,
          value: FORMAT_BAD[s.format] ?? 'not a valid value for the format',
        });
      }
      break;
    }
    case 'integer':
    case 'number': {
      notNull(`numeric string where ${t}`, String(valid));
      notNull(`null where ${t}`, null);
      if (t === 'integer') out.push({ label: 'non-integer', value: Number(valid) + 0.5 });
      if (s.minimum !== undefined) out.push({ label: `below minimum ${s.minimum}`, value: s.minimum - 1 });
      if (s.minimum !== undefined && s.minimum > 0) out.push({ label: 'negative', value: -1 });
      if (s.exclusiveMinimum !== undefined)
        out.push({ label: `at exclusiveMinimum ${s.exclusiveMinimum}`, value: s.exclusiveMinimum });
      if (s.maximum !== undefined) out.push({ label: `above maximum ${s.maximum}`, value: s.maximum + 1 });
      else out.push({ label: 'huge number', value: HUGE });
      break;
    }
    case 'boolean':
      notNull('string where boolean', 'true');
      notNull('number where boolean', 1);
      break;
    case 'array': {
      notNull('object where array', {});
      const first: unknown = Array.isArray(valid) ? valid[0] : 'x';
      notNull('bare value where array', first !== null && typeof first === 'object' ? 'x' : first);
      if (s.minItems !== undefined && s.minItems > 0)
        out.push({ label: `fewer than minItems ${s.minItems}`, value: [] });
      if (s.maxItems !== undefined && s.maxItems < 10000)
        out.push({
          label: `more than maxItems ${s.maxItems}`,
          value: Array.from({ length: s.maxItems + 1 }, (_, i) =>
            Array.isArray(valid) && valid.length > 0 ? valid[i % valid.length] : 'x',
          ),
        });
      break;
    }
    case 'object':
      notNull('array where object', []);
      notNull('null where object', null);
      break;
  }
  return out;
}

function fieldName(segments: Segment[], root = 'body'): string {
  let out = '';
  for (const seg of segments) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out === '' ? root : out;
}

function setAt(base: unknown, segments: Segment[], value: unknown): unknown {
  if (segments.length === 0) return value;
  const copy: any = structuredClone(base);
  let cur = copy;
  for (const seg of segments.slice(0, -1)) cur = cur[seg];
  cur[segments[segments.length - 1]] = value;
  return copy;
}

/** Mutations of the valid body, walking nested objects and the first item of arrays. */
function bodyMutations(
  schema: Schema,
  base: unknown,
  at: Segment[] = [],
  depth = 0,
): { label: string; body: unknown; field: string | string[] }[] {
  const s = resolve(schema);
  const out: { label: string; body: unknown; field: string | string[] }[] = [];
  const here = fieldName(at);
  const valid = at.reduce<any>((v, seg) => v?.[seg], base);
  if (at.length > 0)
    for (const b of badJsonValues(s, valid))
      out.push({ label: `${here}: ${b.label}`, body: setAt(base, at, b.value), field: here });
  if (depth > 4) return out;
  const t = typeOf(s);
  if (t === 'object' && s.properties) {
    const required: string[] = s.required ?? [];
    if (at.length > 0 && required.length > 0)
      out.push({
        label: `${here}: empty object`,
        body: setAt(base, at, {}),
        field: required.map((r) => fieldName([...at, r])),
      });
    if (s.additionalProperties === false)
      out.push({
        label: `${here}: unknown property`,
        body: setAt(base, [...at, 'zz_unknown'], 1),
        field: fieldName([...at, 'zz_unknown']),
      });
    const seen = new Set<string>();
    for (const [name, prop] of Object.entries<Schema>(s.properties)) {
      // Optional properties are absent from the base: give them a valid value to mutate from.
      const withProp = name in (valid ?? {}) ? base : setAt(base, [...at, name], sample(prop));
      const path = [...at, name];
      // Siblings with the same schema as an earlier one (mon ... sun) get one wrong value each.
      const key = JSON.stringify(prop);
      if (seen.has(key)) {
        const [one] = badJsonValues(prop, sample(prop));
        if (one)
          out.push({
            label: `${fieldName(path)}: ${one.label}`,
            body: setAt(withProp, path, one.value),
            field: fieldName(path),
          });
        continue;
      }
      seen.add(key);
      out.push(...bodyMutations(prop, withProp, path, depth + 1));
    }
  } else if (t === 'array' && s.items) {
    const tuple = tupleItems(s);
    if (tuple) tuple.forEach((item, i) => out.push(...bodyMutations(item, base, [...at, i], depth + 1)));
    else out.push(...bodyMutations(s.items, base, [...at, 0], depth + 1));
  }
  return out;
}

/** Query-string values that must be refused for one parameter (everything arrives as text). */
function badQueryValues(schema: Schema, name: string, valid: unknown): { label: string; query: string }[] {
  const s = resolve(schema);
  const out: { label: string; query: string }[] = [];
  const q = (v: string) => `${encodeURIComponent(name)}=${encodeURIComponent(v)}`;
  const str = String(valid);
  if (Array.isArray(s.enum)) out.push({ label: 'unknown enum value', query: q('zz_not_a_value') });
  switch (typeOf(s)) {
    case 'string':
      out.push({ label: 'repeated (an array where a string is expected)', query: `${q(str)}&${q(str)}` });
      if (s.maxLength !== undefined)
        out.push({
          label: `over maxLength ${s.maxLength}`,
          query: q(str + 'a'.repeat(Math.max(1, s.maxLength + 1 - str.length))),
        });
      if (s.minLength !== undefined && s.minLength > 0)
        out.push({ label: `under minLength ${s.minLength}`, query: q(str.slice(0, s.minLength - 1)) });
      if (s.pattern !== undefined) {
        const bad = ['has space!', '<script>', '../..'].find((c) => !new RegExp(s.pattern, 'u').test(c));
        if (bad !== undefined) out.push({ label: `not matching ${s.pattern}`, query: q(bad) });
      }
      break;
    case 'integer':
    case 'number':
      out.push({ label: `text where ${typeOf(s)}`, query: q('abc') });
      out.push({ label: 'empty', query: q('') });
      if (typeOf(s) === 'integer') out.push({ label: 'non-integer', query: q('1.5') });
      if (s.minimum !== undefined) out.push({ label: `below minimum ${s.minimum}`, query: q(String(s.minimum - 1)) });
      if (s.maximum !== undefined) out.push({ label: `above maximum ${s.maximum}`, query: q(String(s.maximum + 1)) });
      else out.push({ label: 'huge number', query: q('1' + '0'.repeat(30)) });
      out.push({ label: 'overflowing exponent', query: q('1e400') });
      break;
    case 'boolean':
      out.push({ label: 'not a boolean', query: q('maybe') });
      break;
    case 'array':
      out.push({
        label: 'item not of the item type',
        query: q(typeOf(resolve(s.items)) === 'string' ? 'x'.repeat(5000) : 'abc'),
      });
      break;
  }
  return out;
}

/** Odd path parameter values, already percent-encoded as they go on the wire. */
const ODD_PATH_VALUES: { label: string; raw: string }[] = [
  { label: 'very long', raw: 'x'.repeat(5000) },
  { label: 'NUL byte', raw: '%00' },
  { label: 'bad percent-encoding', raw: '%E0%A4%A' },
  { label: 'emoji', raw: '%F0%9F%92%A9' },
  { label: 'quotes and SQL', raw: encodeURIComponent(`x' OR "1"='1`) },
  { label: 'encoded slashes', raw: encodeURIComponent('../../etc/passwd') },
];

// ---------------------------------------------------------------------------------------------
// Cases per route.

function casesFor(route: Route): Case[] {
  const params = route.op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const validPath = (override?: { name: string; raw: string }) =>
    route.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      if (override && override.name === name) return override.raw;
      const p = pathParams.find((x) => x.name === name);
      return encodeURIComponent(String(sample(p?.schema ?? { type: 'string' })));
    });
  const requiredQuery = queryParams
    .filter((p) => p.required)
    .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(sample(p.schema)))}`);
  const withQuery = (path: string, extra: string[] = []) => {
    const all = [...requiredQuery, ...extra];
    return all.length ? `${path}?${all.join('&')}` : path;
  };
  const base = { method: route.method, url: withQuery(validPath()) };
  const cases: Case[] = [];

  // Bodies.
  const json = route.op.requestBody?.content?.['application/json'];
  if (json) {
    const schema = resolve(json.schema);
    const valid = sample(schema);
    const required: string[] = schema.required ?? [];
    cases.push(
      { ...base, label: 'malformed JSON text', raw: '{"a": ', field: 'body', status: 400 },
      {
        ...base,
        label: 'JSON array (of the valid body) instead of an object',
        raw: JSON.stringify([valid]),
        field: 'body',
        status: 400,
      },
      { ...base, label: 'JSON number instead of an object', raw: '42', field: 'body', status: 400 },
      { ...base, label: 'JSON string instead of an object', raw: '"text"', field: 'body', status: 400 },
      { ...base, label: 'JSON null instead of an object', raw: 'null', field: 'body', status: 400 },
      {
        ...base,
        label: 'text/plain body',
        raw: JSON.stringify(valid),
        headers: { 'content-type': 'text/plain' },
        field: 'body',
      },
      {
        ...base,
        label: 'body over the size limit',
        raw: JSON.stringify({ ...(valid as object), zz_padding: 'a'.repeat(s.config.bodyLimitBytes + 1024) }),
        field: 'body',
        status: 413,
      },
    );
    if (route.op.requestBody?.required)
      cases.push({ ...base, label: 'empty body', raw: '', field: 'body', status: 400 });
    if (required.length > 0)
      cases.push({ ...base, label: 'empty object (required fields missing)', body: {}, field: required, status: 400 });
    // contact data in free text is well-formed input the server will not store: 422
    for (const m of bodyMutations(schema, valid)) {
      cases.push({
        ...base,
        label: m.label,
        body: m.body,
        field: m.field,
        status: m.label.endsWith('not in format free-text') ? 422 : 400,
      });
    }
  } else if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method)) {
    cases.push({
      ...base,
      label: 'malformed JSON text on a route without a body',
      raw: '{"a": ',
      field: 'body',
      status: 400,
    });
  }

  // Query strings.
  for (const p of queryParams) {
    const valid = sample(p.schema);
    const others = requiredQuery.filter((q) => !q.startsWith(`${encodeURIComponent(p.name)}=`));
    for (const b of badQueryValues(p.schema, p.name, valid)) {
      const url = validPath();
      cases.push({
        method: route.method,
        url: `${url}?${[...others, b.query].join('&')}`,
        label: `query ${p.name}: ${b.label}`,
        field: p.name,
        status: 400,
      });
    }
  }

  // Path parameters.
  for (const p of pathParams) {
    const schema = resolve(p.schema);
    const odd = [...ODD_PATH_VALUES];
    if (schema.maxLength !== undefined)
      odd.push({ label: `one over maxLength ${schema.maxLength}`, raw: 'a'.repeat(schema.maxLength + 1) });
    for (const o of odd) {
      let decoded: string | null = null;
      try {
        decoded = decodeURIComponent(o.raw);
      } catch {
        // not decodable: the router refuses it
      }
      const url = withQuery(validPath({ name: p.name, raw: o.raw }));
      // The router refuses what it cannot decode and parameters over 100 characters (Fastify's
      // maxParamLength) before any schema is consulted: it cannot say which parameter, only `path`.
      const routerRefuses = decoded === null || decoded.length > 100;
      const schemaRefuses = !routerRefuses && !stringOk(schema, decoded!);
      cases.push({
        method: route.method,
        url,
        label: `path ${p.name}: ${o.label}`,
        field: routerRefuses ? [p.name, 'path'] : schemaRefuses ? p.name : undefined,
        status: schemaRefuses || decoded === null ? 400 : undefined,
        byRouter: routerRefuses,
      });
    }
  }

  // Query strings are closed (src/platform/http/closed-query.ts): a parameter the route does not
  // declare is refused by name, with an otherwise valid request; odd ones too.
  const body = json ? { body: fullSample(json.schema) } : {};
  cases.push(
    {
      ...base,
      url: withQuery(validPath(), ['zz_unknown=1']),
      ...body,
      label: 'undeclared query parameter',
      field: 'zz_unknown',
      status: 400,
    },
    {
      ...base,
      url: withQuery(validPath(), ['zz=%ZZ', `q_zz=${'x'.repeat(3000)}`]),
      ...body,
      label: 'undeclared odd query parameters',
      field: ['zz', 'q_zz'],
      status: 400,
    },
  );
  // A signed route checks its signature before anything else: an unsigned request, however
  // malformed, learns nothing but 401 (only the router and the body limit answer before it).
  // (A public route, also without security, answers malformed input like any other: 400 naming the field.)
  const signed = route.op.security?.length === 0 && /signature/i.test(route.op.summary ?? '');
  if (signed)
    return cases.map((c) => (c.byRouter || c.status === 413 ? c : { ...c, status: 401, field: 'x-santong-signature' }));
  return cases;
}

function check(c: Case, r: ApiResponse): string | null {
  const body = r.body as any;
  const what = `${c.label} (${c.method} ${c.url.length > 120 ? c.url.slice(0, 120) + '…' : c.url}) → ${r.status} ${JSON.stringify(body)?.slice(0, 300)}`;
  if (r.status >= 500) return `5xx: ${what}`;
  if (r.status < 400) return `not refused: ${what}`;
  if (c.status !== undefined && r.status !== c.status) return `expected ${c.status}: ${what}`;
  if (!(r.headers.get('content-type') ?? '').startsWith('application/json')) return `not JSON: ${what}`;
  const shapeOk =
    body !== null &&
    typeof body === 'object' &&
    Object.keys(body).length === 1 &&
    typeof body.error === 'object' &&
    body.error !== null &&
    typeof body.error.code === 'string' &&
    body.error.code !== '' &&
    typeof body.error.message === 'string' &&
    body.error.message !== '' &&
    (body.error.field === undefined || typeof body.error.field === 'string');
  if (!shapeOk) return `not the error shape: ${what}`;
  if (body.error.code === 'validation_error' && typeof body.error.field !== 'string')
    return `validation error without a field: ${what}`;
  if (c.field !== undefined) {
    const allowed = Array.isArray(c.field) ? c.field : [c.field];
    if (!allowed.includes(body.error.field)) return `expected field ${allowed.join(' | ')}: ${what}`;
  }
  return null;
}

describe('malformed input on every /v1 route (from the OpenAPI document)', () => {
  it('finds the routes in the OpenAPI document', () => {
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['POST /v1/api-keys', 'POST /v1/webhooks', 'GET /v1/orders', 'DELETE /v1/webhooks/{id}']),
    );
  });

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', async (_name, route) => {
    const cases = casesFor(route);
    const failures: string[] = [];
    for (const c of cases) {
      const r = await s.api(c.method, c.url, c.body, { raw: c.raw, headers: c.headers });
      const problem = check(c, r);
      if (problem) failures.push(problem);
    }
    expect(failures).toEqual([]);
  });
});
