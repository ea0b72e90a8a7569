import type { Queryable } from '../../platform/db/database';
import { unprocessable } from '../../platform/http/errors';
import { LIFECYCLE_STAGES, RFM_SEGMENTS } from '../audiences/public';
import { CONSENT_PURPOSES, type ConsentPurpose } from '../customers/public';
import { existingStoreIds } from '../locations/public';
import { tierCodes } from '../loyalty/public';

/**
 * The one rule language of segments (issue 13): JSON combinators `all`, `any`, `not` over leaves.
 * `parseRule` checks an untrusted value's shape and returns it typed, or throws 422 `invalid_rule`
 * naming the path of the first fault in the rule (`rule.all[1].event.within_days`); `checkRule`
 * does that and then checks the names the database knows (tier codes, store ids), with the same
 * paths (`rule.all[0].tier.in[1]`). Every leaf of the language is evaluated.
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

export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
export interface RfmLeaf {
  segment?: Comparison<string>;
  r?: Comparison<number>;
  f?: Comparison<number>;
  m?: Comparison<number>;
}
export interface VisitedStoreLeaf {
  location_id?: string;
  within_days?: number;
}
export interface NearStoreLeaf {
  location_id?: string;
  km: number;
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
  | { tier: Comparison<string> }
  | { points: Comparison<number> }
  | { rfm: RfmLeaf }
  | { lifecycle: Comparison<LifecycleStage> }
  | { visited_store: VisitedStoreLeaf }
  | { near_store: NearStoreLeaf }
  | { clv: ClvLeaf }
  | { since_entry: SinceEntryLeaf };

/** Journeys' branches only (parseRule's `sinceEntry`): did it happen after the person entered the journey. */
export type SinceEntryLeaf = { event: EventLeaf } | { ordered: OrderedLeaf };

const MAX_DEPTH = 16;
const MAX_DAYS = 36_500;
const COMPARATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in'] as const;
/** Comparisons of names without an order (segments, stages). */
const EQUALITY = ['eq', 'neq', 'in'] as const;

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
function comparison<T>(
  v: unknown,
  path: string,
  operand: (x: unknown, p: string) => T,
  ops: readonly (typeof COMPARATORS)[number][] = COMPARATORS,
): Comparison<T> {
  const o = object(v, path, ops);
  if (Object.keys(o).length === 0) throw fail(path, `needs one of ${ops.join(', ')}`);
  const out: Comparison<T> = {};
  for (const op of ops) {
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

const atLeastOne = (checks: Checks) => (v: unknown, path: string) => {
  const o = fields(v, path, checks);
  if (Object.keys(o).length === 0) throw fail(path, `needs one of ${Object.keys(checks).join(', ')}`);
  return o;
};
const numbers = (v: unknown, p: string) => comparison(v, p, finite);
const strings = (v: unknown, p: string) => comparison(v, p, text);

const positiveKm = (x: unknown, q: string) => {
  if (finite(x, q) <= 0 || (x as number) > 20_000) throw fail(q, 'must be more than 0 and at most 20000');
  return x;
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
  // loyalty, audiences and stores
  tier: strings,
  points: numbers,
  rfm: atLeastOne({
    segment: (v, p) => comparison(v, p, oneOf(RFM_SEGMENTS), EQUALITY),
    r: numbers,
    f: numbers,
    m: numbers,
  }),
  lifecycle: (v, p) => comparison(v, p, oneOf(LIFECYCLE_STAGES), EQUALITY),
  visited_store: (v, p) => fields(v, p, { location_id: text, within_days: days }),
  near_store: (v, p) => fields(v, p, { location_id: text, km: positiveKm }, ['km']),
  clv: atLeastOne({ p_alive: numbers, expected_orders: numbers, expected_value: numbers }),
};

const KINDS = ['all', 'any', 'not', ...Object.keys(LEAVES)];

export interface ParseOptions {
  /** Allow `{"since_entry": <event or ordered leaf>}` (a journey's branch, evaluated for one enrolment). */
  sinceEntry?: boolean;
}

function sinceEntry(v: unknown, path: string): SinceEntryLeaf {
  const o = object(v, path, ['event', 'ordered']);
  if (Object.keys(o).length !== 1) throw fail(path, 'must be an object with one key: event, ordered');
  const [kind, body] = Object.entries(o)[0]!;
  return { [kind]: LEAVES[kind]!(body, `${path}.${kind}`) } as SinceEntryLeaf;
}

function node(v: unknown, path: string, depth: number, opts: ParseOptions = {}): Rule {
  if (depth > MAX_DEPTH) throw fail(path, `rules nest at most ${MAX_DEPTH} deep`);
  if (!isObject(v) || Object.keys(v).length !== 1)
    throw fail(path, `must be an object with one key: ${KINDS.join(', ')}`);
  const [kind, body] = Object.entries(v)[0]!;
  const at = `${path}.${kind}`;
  if (kind === 'all' || kind === 'any') {
    const parts = list(body, at, (x, p) => node(x, p, depth + 1, opts));
    return kind === 'all' ? { all: parts } : { any: parts };
  }
  if (kind === 'not') return { not: node(body, at, depth + 1, opts) };
  if (kind === 'since_entry' && opts.sinceEntry) return { since_entry: sinceEntry(body, at) };
  const leaf = LEAVES[kind];
  if (!leaf) throw fail(`${path}.${kind}`, `unknown rule; expected one of ${KINDS.join(', ')}`);
  return { [kind]: leaf(body, at) } as Rule;
}

/** The rule, checked; `path` names it in errors (the body field it came in). */
export const parseRule = (v: unknown, path = 'rule', opts: ParseOptions = {}): Rule => node(v, path, 0, opts);

/** A name the rule uses that must exist in the database, and where. */
interface Reference {
  kind: 'tier' | 'store';
  value: string;
  path: string;
}

function references(rule: Rule, path: string, out: Reference[]): Reference[] {
  if ('all' in rule) rule.all.forEach((r, i) => references(r, `${path}.all[${i}]`, out));
  else if ('any' in rule) rule.any.forEach((r, i) => references(r, `${path}.any[${i}]`, out));
  else if ('not' in rule) references(rule.not, `${path}.not`, out);
  else if ('tier' in rule) {
    for (const op of COMPARATORS) {
      const v = rule.tier[op];
      if (op === 'in')
        rule.tier.in?.forEach((x, i) => out.push({ kind: 'tier', value: x, path: `${path}.tier.in[${i}]` }));
      else if (typeof v === 'string') out.push({ kind: 'tier', value: v, path: `${path}.tier.${op}` });
    }
  } else if ('visited_store' in rule || 'near_store' in rule) {
    const [kind, leaf] =
      'visited_store' in rule ? ['visited_store', rule.visited_store] : ['near_store', rule.near_store];
    if (leaf.location_id !== undefined)
      out.push({ kind: 'store', value: leaf.location_id, path: `${path}.${kind}.location_id` });
  }
  return out;
}

/**
 * The rule, checked for shape (parseRule) and then against the database: tier codes must be
 * those in force, location ids those of stores or dark stores. 422 `invalid_rule` naming the path
 * of the first unknown name.
 */
export async function checkRule(db: Queryable, v: unknown, path = 'rule', opts: ParseOptions = {}): Promise<Rule> {
  const rule = parseRule(v, path, opts);
  const refs = references(rule, path, []);
  const tiers = refs.some((r) => r.kind === 'tier') ? await tierCodes(db) : [];
  const stores = await existingStoreIds(
    db,
    refs.filter((r) => r.kind === 'store').map((r) => r.value),
  );
  for (const r of refs) {
    if (r.kind === 'tier' && !tiers.includes(r.value))
      throw fail(r.path, `unknown tier; expected one of ${tiers.join(', ')}`);
    if (r.kind === 'store' && !stores.has(r.value)) throw fail(r.path, 'unknown store (a store or dark store id)');
  }
  return rule;
}
