import { CONSENT_PURPOSES, type ConsentPurpose } from '../customers/consent';
import { unprocessable } from '../../platform/http/errors';

/**
 * The one rule language of segments (issue 13): JSON combinators `all`, `any`, `not` over leaves.
 * `parseRule` checks an untrusted value and returns it typed, or throws 422 `invalid_rule` naming
 * the path of the first fault in the rule (`rule.all[1].event.within_days`). Leaves whose data
 * does not exist yet (tier, points, rfm, lifecycle, visited_store, near_store) are checked
 * for shape and then refused with 422 `not_supported_yet`, naming their path.
 */

type Scalar = string | number | boolean;
/** A comparison: any non-empty combination of these, all of which must hold. */
export interface Comparison<T> {
  eq?: T;
  neq?: T;
  gt?: T;
  gte?: T;
  lt?: T;
  lte?: T;
  in?: T[];
}

export interface TraitLeaf {
  name: string;
  eq?: Scalar;
  neq?: Scalar;
  in?: Scalar[];
  exists?: boolean;
  contains?: Scalar;
}
export interface EventLeaf {
  type: string;
  properties?: Record<string, Scalar>;
  count?: Comparison<number>;
  within_days?: number;
}
export interface OrderedLeaf {
  sku?: string;
  category?: string;
  channel?: string;
  location_id?: string;
  count?: Comparison<number>;
  spend?: Comparison<number>;
  /** The share (0 to 1) of the matching orders that used a coupon. */
  coupon_share?: Comparison<number>;
  within_days?: number;
}

/** Predictions of the latest done CLV run: p_alive a fraction, expected_value in fen. */
export interface ClvLeaf {
  p_alive?: Comparison<number>;
  expected_orders?: Comparison<number>;
  expected_value?: Comparison<number>;
}

export type Rule =
  | { all: Rule[] }
  | { any: Rule[] }
  | { not: Rule }
  | { trait: TraitLeaf }
  | { tag: string }
  | { created: { within_days: number } }
  | { consent: { purpose: ConsentPurpose; granted: boolean } }
  | { event: EventLeaf }
  | { ordered: OrderedLeaf }
  | { clv: ClvLeaf };

const MAX_DEPTH = 16;
const MAX_DAYS = 36_500;
const LIFECYCLE_STAGES = ['new', 'active', 'loyal', 'at_risk', 'lapsed'];
const COMPARATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in'] as const;

const fail = (path: string, message: string) => unprocessable('invalid_rule', message, path);

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object whose keys are all among `allowed` and which has every one of `required`. */
function object(v: unknown, path: string, allowed: readonly string[], required: readonly string[] = []): Obj {
  if (!isObject(v)) throw fail(path, 'must be an object');
  for (const k of Object.keys(v))
    if (!allowed.includes(k)) throw fail(`${path}.${k}`, `unknown key; expected one of ${allowed.join(', ')}`);
  for (const k of required) if (v[k] === undefined) throw fail(`${path}.${k}`, 'is required');
  return v;
}

function text(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 200)
    throw fail(path, 'must be a string of 1 to 200 characters');
  return v;
}

function scalar(v: unknown, path: string): Scalar {
  if (typeof v === 'string') return text(v, path);
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') return v;
  throw fail(path, 'must be a string, a finite number or a boolean');
}

function list<T>(v: unknown, path: string, item: (x: unknown, p: string) => T): T[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 1000) throw fail(path, 'must be an array of 1 to 1000 items');
  return v.map((x, i) => item(x, `${path}[${i}]`));
}

function days(v: unknown, path: string): number {
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > MAX_DAYS)
    throw fail(path, `must be an integer from 1 to ${MAX_DAYS}`);
  return v as number;
}

function nonNegativeInteger(v: unknown, path: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw fail(path, 'must be a non-negative integer');
  return v as number;
}

function finite(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw fail(path, 'must be a finite number');
  return v;
}

function fraction(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw fail(path, 'must be a number from 0 to 1');
  return v;
}

/** A non-empty comparison whose operands each pass `operand`. */
function comparison<T>(v: unknown, path: string, operand: (x: unknown, p: string) => T): Comparison<T> {
  const o = object(v, path, COMPARATORS);
  if (Object.keys(o).length === 0) throw fail(path, `needs one of ${COMPARATORS.join(', ')}`);
  const out: Comparison<T> = {};
  for (const op of COMPARATORS) {
    if (o[op] === undefined) continue;
    if (op === 'in') out.in = list(o.in, `${path}.in`, operand);
    else out[op] = operand(o[op], `${path}.${op}`);
  }
  return out;
}

const counting = (v: unknown, path: string) => comparison(v, path, nonNegativeInteger);

function oneOf(values: readonly string[]) {
  return (v: unknown, path: string) => {
    if (typeof v !== 'string' || !values.includes(v)) throw fail(path, `must be one of ${values.join(', ')}`);
    return v;
  };
}

/** An object leaf whose fields each pass their check in `checks` (absent ones are skipped). */
type Checks = Record<string, (v: unknown, path: string) => unknown>;
function fields(v: unknown, path: string, checks: Checks, required: readonly string[] = []): Obj {
  const o = object(v, path, Object.keys(checks), required);
  const out: Obj = {};
  for (const [k, check] of Object.entries(checks)) if (o[k] !== undefined) out[k] = check(o[k], `${path}.${k}`);
  return out;
}

function trait(v: unknown, path: string): TraitLeaf {
  const t = fields(
    v,
    path,
    {
      name: text,
      eq: scalar,
      neq: scalar,
      in: (x, p) => list(x, p, scalar),
      contains: scalar,
      exists: (x, p) => {
        if (typeof x !== 'boolean') throw fail(p, 'must be a boolean');
        return x;
      },
    },
    ['name'],
  );
  if (Object.keys(t).length === 1) throw fail(path, 'needs one of eq, neq, in, exists, contains');
  return t as unknown as TraitLeaf;
}

function properties(v: unknown, path: string): Record<string, Scalar> {
  if (!isObject(v) || Object.keys(v).length === 0) throw fail(path, 'must be a non-empty object');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scalar(x, `${path}.${k}`)]));
}

const boolean = (v: unknown, path: string) => {
  if (typeof v !== 'boolean') throw fail(path, 'must be a boolean');
  return v;
};

/** Leaves that are evaluated. */
const LEAVES: Record<string, (v: unknown, path: string) => unknown> = {
  trait,
  tag: text,
  created: (v, p) => fields(v, p, { within_days: days }, ['within_days']),
  consent: (v, p) => fields(v, p, { purpose: oneOf(CONSENT_PURPOSES), granted: boolean }, ['purpose', 'granted']),
  event: (v, p) => fields(v, p, { type: text, properties, count: counting, within_days: days }, ['type']),
  ordered: (v, p) =>
    fields(v, p, {
      sku: text,
      category: text,
      channel: text,
      location_id: text,
      count: counting,
      spend: counting,
      coupon_share: (x, q) => comparison(x, q, fraction),
      within_days: days,
    }),
  clv: (v, p) => atLeastOne({ p_alive: numbers, expected_orders: numbers, expected_value: numbers })(v, p),
};

const atLeastOne = (checks: Checks) => (v: unknown, path: string) => {
  const o = fields(v, path, checks);
  if (Object.keys(o).length === 0) throw fail(path, `needs one of ${Object.keys(checks).join(', ')}`);
  return o;
};
const numbers = (v: unknown, p: string) => comparison(v, p, finite);
const strings = (v: unknown, p: string) => comparison(v, p, text);

/** Leaves of the language whose data this server does not keep yet: checked, then refused. */
const NOT_YET: Record<string, (v: unknown, path: string) => unknown> = {
  tier: strings,
  points: numbers,
  rfm: atLeastOne({ segment: strings, r: numbers, f: numbers, m: numbers }),
  lifecycle: (v, p) => comparison(v, p, oneOf(LIFECYCLE_STAGES)),
  visited_store: (v, p) => fields(v, p, { location_id: text, within_days: days }),
  near_store: (v, p) =>
    fields(
      v,
      p,
      {
        location_id: text,
        km: (x, q) => {
          if (finite(x, q) <= 0) throw fail(q, 'must be positive');
          return x;
        },
      },
      ['km'],
    ),
};

const KINDS = ['all', 'any', 'not', ...Object.keys(LEAVES), ...Object.keys(NOT_YET)];

function node(v: unknown, path: string, depth: number): Rule {
  if (depth > MAX_DEPTH) throw fail(path, `rules nest at most ${MAX_DEPTH} deep`);
  if (!isObject(v) || Object.keys(v).length !== 1)
    throw fail(path, `must be an object with one key: ${KINDS.join(', ')}`);
  const [kind, body] = Object.entries(v)[0]!;
  const at = `${path}.${kind}`;
  if (kind === 'all' || kind === 'any') {
    const parts = list(body, at, (x, p) => node(x, p, depth + 1));
    return kind === 'all' ? { all: parts } : { any: parts };
  }
  if (kind === 'not') return { not: node(body, at, depth + 1) };
  const leaf = LEAVES[kind];
  if (leaf) return { [kind]: leaf(body, at) } as Rule;
  const later = NOT_YET[kind];
  if (!later) throw fail(`${path}.${kind}`, `unknown rule; expected one of ${KINDS.join(', ')}`);
  later(body, at);
  throw unprocessable('not_supported_yet', `${kind} rules are not supported yet`, at);
}

/** The rule, checked; `path` names it in errors (the body field it came in). */
export const parseRule = (v: unknown, path = 'rule'): Rule => node(v, path, 0);
