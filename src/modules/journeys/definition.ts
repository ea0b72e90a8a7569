import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { unprocessable } from '../../platform/http/errors';
import { couponTemplateFacts } from '../loyalty/coupons/public';
import { checkRule, segmentExists, type Rule } from '../segments/public';
import { durationMs, isTimeOfDay } from './duration';

/**
 * A journey's definition (issue 15): its trigger, its steps (a tree: branches and splits hold
 * lists of steps), an optional goal. `checkDefinition` checks an untrusted body and returns it
 * typed, or throws 422 `invalid_journey` naming the path of the first fault (`steps[2].wait.duration`);
 * branch rules go through the segments' rule parser with that path as prefix (422 `invalid_rule`).
 */

export const MESSAGE_CHANNELS = ['sms', 'wechat', 'push', 'email'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

export type Trigger =
  | { event: { type: string; properties?: Record<string, string | number | boolean> } }
  | { segment_entered: string }
  | { inactive: { days: number } }
  | { date_trait: { trait: string; days_before: number } }
  | { broadcast: { segment: string; at: string } };

interface Variant {
  name: string;
  weight: number;
  steps: Step[];
}

export type Step = { id: string } & (
  | { wait: { duration: string } | { until_time_of_day: string } }
  | { branch: { if: Rule; then: Step[]; else: Step[] } }
  | { pick_store: { km: number; in_stock_sku: string } }
  | { issue_coupon: { template_id: string; sku_from_trigger?: boolean; at_picked_store?: boolean } }
  | { send_message: { channel: MessageChannel; text: string } }
  | { add_tag: string }
  | { remove_tag: string }
  | { split: { variants: Variant[] } }
  | { exit: Record<string, never> }
);

export interface Goal {
  ordered: { sku?: string; category?: string; channel?: string; location_id?: string; within_days: number };
}

export interface Definition {
  name: string;
  trigger: Trigger;
  steps: Step[];
  goal: Goal | null;
  holdout_percent: number;
  reentry: boolean;
}

const STEP_KINDS = [
  'wait',
  'branch',
  'pick_store',
  'issue_coupon',
  'send_message',
  'add_tag',
  'remove_tag',
  'split',
  'exit',
];
const TRIGGER_KINDS = ['event', 'segment_entered', 'inactive', 'date_trait', 'broadcast'];
const MAX_STEPS = 200;
const TRIGGER_REF = /^\$trigger\.[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const fail = (path: string, message: string) => unprocessable('invalid_journey', message, path);
type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function object(v: unknown, path: string, allowed: readonly string[], required: readonly string[] = []): Obj {
  if (!isObject(v)) throw fail(path, 'must be an object');
  for (const k of Object.keys(v))
    if (!allowed.includes(k)) throw fail(`${path}.${k}`, `unknown key; expected one of ${allowed.join(', ')}`);
  for (const k of required) if (v[k] === undefined) throw fail(`${path}.${k}`, 'is required');
  return v;
}

function text(v: unknown, path: string, max = 200): string {
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > max)
    throw fail(path, `must be a string of 1 to ${max} characters`);
  return v;
}

function integer(v: unknown, path: string, min: number, max: number): number {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
    throw fail(path, `must be an integer from ${min} to ${max}`);
  return v as number;
}

/** The one key of a `{kind: body}` object among `kinds`. */
function oneKey(v: unknown, path: string, kinds: readonly string[], extra: readonly string[] = []): [string, unknown] {
  if (!isObject(v)) throw fail(path, 'must be an object');
  const keys = Object.keys(v).filter((k) => !extra.includes(k));
  if (keys.length !== 1 || !kinds.includes(keys[0]!))
    throw fail(
      path,
      `must have exactly one of ${kinds.join(', ')}${extra.length ? ` (besides ${extra.join(', ')})` : ''}`,
    );
  return [keys[0]!, v[keys[0]!]];
}

/** Strings `$trigger.<prop>` anywhere in a rule (their paths), which only an event trigger can fill. */
function triggerRefs(v: unknown, path: string, out: { path: string; value: string }[] = []) {
  if (typeof v === 'string' && v.startsWith('$trigger')) out.push({ path, value: v });
  else if (Array.isArray(v)) v.forEach((x, i) => triggerRefs(x, `${path}[${i}]`, out));
  else if (isObject(v)) for (const [k, x] of Object.entries(v)) triggerRefs(x, `${path}.${k}`, out);
  return out;
}

interface Context {
  db: Queryable;
  eventTrigger: boolean;
  ids: Set<string>;
  count: { n: number };
  /** A pick_store step runs before this point on every path to it (issue_coupon at_picked_store needs one). */
  picked: boolean;
}

/** A list of steps; a pick_store in it counts for the steps after it (and inside them), not for what follows the list. */
async function steps(v: unknown, path: string, outer: Context): Promise<Step[]> {
  if (!Array.isArray(v)) throw fail(path, 'must be an array of steps');
  const cx = { ...outer };
  const out: Step[] = [];
  for (let i = 0; i < v.length; i++) {
    const s = await step(v[i], `${path}[${i}]`, cx);
    if ('pick_store' in s) cx.picked = true;
    out.push(s);
  }
  return out;
}

async function step(v: unknown, path: string, cx: Context): Promise<Step> {
  if (++cx.count.n > MAX_STEPS) throw fail(path, `a journey has at most ${MAX_STEPS} steps`);
  const [kind, body] = oneKey(v, path, STEP_KINDS, ['id']);
  const o = v as Obj;
  const id = text(o.id, `${path}.id`, 64);
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw fail(`${path}.id`, 'must be letters, digits, "_" or "-"');
  if (cx.ids.has(id)) throw fail(`${path}.id`, `step id ${id} is used twice in the journey`);
  cx.ids.add(id);
  const at = `${path}.${kind}`;
  switch (kind) {
    case 'wait': {
      const [which, value] = oneKey(body, at, ['duration', 'until_time_of_day']);
      const s = text(value, `${at}.${which}`, 40);
      if (which === 'duration' && durationMs(s) === null)
        throw fail(
          `${at}.duration`,
          'must be an ISO-8601 duration of weeks, days, hours, minutes, seconds (PT2S, PT10M, P3D), at most 366 days',
        );
      if (which === 'until_time_of_day' && !isTimeOfDay(s))
        throw fail(`${at}.until_time_of_day`, 'must be HH:MM (24-hour)');
      return { id, wait: which === 'duration' ? { duration: s } : { until_time_of_day: s } };
    }
    case 'branch': {
      const b = object(body, at, ['if', 'then', 'else'], ['if']);
      const rule = await checkRule(cx.db, b.if, `${at}.if`, { sinceEntry: true });
      for (const ref of triggerRefs(b.if, `${at}.if`)) {
        if (!TRIGGER_REF.test(ref.value)) throw fail(ref.path, 'must be $trigger.<property> (letters, digits, _)');
        if (!cx.eventTrigger) throw fail(ref.path, '$trigger values need an event trigger');
      }
      return {
        id,
        branch: {
          if: rule,
          then: await steps(b.then ?? [], `${at}.then`, cx),
          else: await steps(b.else ?? [], `${at}.else`, cx),
        },
      };
    }
    case 'pick_store': {
      const p = object(body, at, ['km', 'in_stock_sku'], ['km', 'in_stock_sku']);
      if (typeof p.km !== 'number' || !Number.isFinite(p.km) || p.km <= 0 || p.km > 100)
        throw fail(`${at}.km`, 'must be a number of km above 0, at most 100');
      const sku = text(p.in_stock_sku, `${at}.in_stock_sku`, 64);
      if (sku.startsWith('$trigger')) {
        if (!TRIGGER_REF.test(sku))
          throw fail(`${at}.in_stock_sku`, 'must be $trigger.<property> (letters, digits, _)');
        if (!cx.eventTrigger) throw fail(`${at}.in_stock_sku`, '$trigger values need an event trigger');
      }
      return { id, pick_store: { km: p.km, in_stock_sku: sku } };
    }
    case 'issue_coupon': {
      const c = object(body, at, ['template_id', 'sku_from_trigger', 'at_picked_store'], ['template_id']);
      const template = text(c.template_id, `${at}.template_id`, 64);
      const known = await sql`SELECT 1 FROM ${couponTemplateFacts} t WHERE t.id = ${template}`.execute(cx.db);
      if (known.rows.length === 0) throw fail(`${at}.template_id`, `unknown coupon template ${template}`);
      if (c.sku_from_trigger !== undefined && typeof c.sku_from_trigger !== 'boolean')
        throw fail(`${at}.sku_from_trigger`, 'must be a boolean');
      if (c.sku_from_trigger && !cx.eventTrigger)
        throw fail(`${at}.sku_from_trigger`, 'needs an event trigger (whose properties name the sku)');
      if (c.at_picked_store !== undefined && typeof c.at_picked_store !== 'boolean')
        throw fail(`${at}.at_picked_store`, 'must be a boolean');
      if (c.at_picked_store && !cx.picked)
        throw fail(`${at}.at_picked_store`, 'needs a pick_store step before it on every path to it');
      return {
        id,
        issue_coupon: {
          template_id: template,
          ...(c.sku_from_trigger ? { sku_from_trigger: true } : {}),
          ...(c.at_picked_store ? { at_picked_store: true } : {}),
        },
      };
    }
    case 'send_message': {
      const m = object(body, at, ['channel', 'text'], ['channel', 'text']);
      if (typeof m.channel !== 'string' || !(MESSAGE_CHANNELS as readonly string[]).includes(m.channel))
        throw fail(`${at}.channel`, `must be one of ${MESSAGE_CHANNELS.join(', ')}`);
      const t = text(m.text, `${at}.text`, 1000);
      const unknown = [...t.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].find(
        (x) => !['name', 'coupon', 'store'].includes(x[1]!),
      );
      if (unknown)
        throw fail(`${at}.text`, `unknown variable {{${unknown[1]}}}; expected {{name}}, {{coupon}}, {{store}}`);
      return { id, send_message: { channel: m.channel as MessageChannel, text: t } };
    }
    case 'add_tag':
    case 'remove_tag': {
      const tag = text(body, at, 64);
      if (/[,/]/.test(tag)) throw fail(at, 'a tag has no "," or "/"');
      return kind === 'add_tag' ? { id, add_tag: tag } : { id, remove_tag: tag };
    }
    case 'split': {
      const s = object(body, at, ['variants'], ['variants']);
      if (!Array.isArray(s.variants) || s.variants.length < 2 || s.variants.length > 10)
        throw fail(`${at}.variants`, 'must be an array of 2 to 10 variants');
      const names = new Set<string>();
      const variants: Variant[] = [];
      for (let i = 0; i < s.variants.length; i++) {
        const vp = `${at}.variants[${i}]`;
        const x = object(s.variants[i], vp, ['name', 'weight', 'steps'], ['name', 'weight', 'steps']);
        const name = text(x.name, `${vp}.name`, 64);
        if (names.has(name)) throw fail(`${vp}.name`, `variant ${name} is named twice`);
        names.add(name);
        variants.push({
          name,
          weight: integer(x.weight, `${vp}.weight`, 1, 100),
          steps: await steps(x.steps, `${vp}.steps`, cx),
        });
      }
      return { id, split: { variants } };
    }
    default:
      object(body, at, []);
      return { id, exit: {} };
  }
}

async function trigger(v: unknown, path: string, db: Queryable): Promise<Trigger> {
  const [kind, body] = oneKey(v, path, TRIGGER_KINDS);
  const at = `${path}.${kind}`;
  const segment = async (x: unknown, p: string) => {
    const id = text(x, p, 64);
    if (!(await segmentExists(db, id))) throw fail(p, `unknown segment ${id}`);
    return id;
  };
  switch (kind) {
    case 'event': {
      const e = object(body, at, ['type', 'properties'], ['type']);
      const type = text(e.type, `${at}.type`, 64);
      if (e.properties === undefined) return { event: { type } };
      const props = object(e.properties, `${at}.properties`, Object.keys(e.properties as Obj));
      for (const [k, x] of Object.entries(props))
        if (!['string', 'number', 'boolean'].includes(typeof x))
          throw fail(`${at}.properties.${k}`, 'must be a string, number or boolean');
      return { event: { type, properties: props as Record<string, string | number | boolean> } };
    }
    case 'segment_entered':
      return { segment_entered: await segment(body, at) };
    case 'inactive': {
      const i = object(body, at, ['days'], ['days']);
      return { inactive: { days: integer(i.days, `${at}.days`, 1, 3650) } };
    }
    case 'date_trait': {
      const d = object(body, at, ['trait', 'days_before'], ['trait', 'days_before']);
      return {
        date_trait: {
          trait: text(d.trait, `${at}.trait`, 64),
          days_before: integer(d.days_before, `${at}.days_before`, 0, 365),
        },
      };
    }
    default: {
      const b = object(body, at, ['segment', 'at'], ['segment', 'at']);
      const when = text(b.at, `${at}.at`, 40);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(when) || Number.isNaN(Date.parse(when)))
        throw fail(`${at}.at`, 'must be an ISO-8601 date-time');
      return { broadcast: { segment: await segment(b.segment, `${at}.segment`), at: new Date(when).toISOString() } };
    }
  }
}

function goal(v: unknown, path: string): Goal {
  const g = object(v, path, ['ordered'], ['ordered']);
  const at = `${path}.ordered`;
  const o = object(g.ordered, at, ['sku', 'category', 'channel', 'location_id', 'within_days'], ['within_days']);
  const out: Goal['ordered'] = { within_days: integer(o.within_days, `${at}.within_days`, 1, 365) };
  for (const k of ['sku', 'category', 'channel', 'location_id'] as const)
    if (o[k] !== undefined) out[k] = text(o[k], `${at}.${k}`, 64);
  return { ordered: out };
}

/** The body of POST /journeys, checked (see above). */
export async function checkDefinition(db: Queryable, body: unknown): Promise<Definition> {
  const b = object(
    body,
    'body',
    ['name', 'trigger', 'steps', 'goal', 'holdout_percent', 'reentry'],
    ['name', 'trigger', 'steps'],
  );
  const name = text(b.name, 'name', 100);
  const t = await trigger(b.trigger, 'trigger', db);
  const cx: Context = { db, eventTrigger: 'event' in t, ids: new Set(), count: { n: 0 }, picked: false };
  const s = await steps(b.steps, 'steps', cx);
  if (s.length === 0) throw fail('steps', 'needs at least one step');
  if (b.reentry !== undefined && typeof b.reentry !== 'boolean') throw fail('reentry', 'must be a boolean');
  return {
    name,
    trigger: t,
    steps: s,
    goal: b.goal === undefined || b.goal === null ? null : goal(b.goal, 'goal'),
    holdout_percent: b.holdout_percent === undefined ? 0 : integer(b.holdout_percent, 'holdout_percent', 0, 90),
    reentry: b.reentry === true,
  };
}
