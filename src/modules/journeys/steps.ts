import type { KeyRing } from '../../platform/crypto/keys';
import type { Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import { greetingFields } from '../customers/public';
import { changeManualTags } from '../customers/public';
import { locationName } from '../locations/public';
import { issueCoupons } from '../loyalty/coupons/public';
import { queueMessages, type MessageToQueue } from '../messaging/public';
import { ruleHoldsFor, type Rule } from '../segments/public';
import type { Step } from './definition';

type IssueCouponStep = Extract<Step, { issue_coupon: unknown }>;
import { pickStore } from './pick-store';
import { bucket, pickVariant, startOf } from './program';

/**
 * What one step does for one enrolment, inside the runner's transaction (runner.ts), which also
 * writes the step's execution row: the effect and its record commit together, or neither.
 */

export interface EnrolmentRow {
  id: string;
  journey_id: string;
  customer_id: string;
  trigger: Record<string, unknown>;
  entered_at: Date;
  variant: string | null;
  coupon_code: string | null;
  /** The store a pick_store step chose. */
  store_id: string | null;
}

export interface StepContext {
  tx: Tx;
  keys: KeyRing;
  now: Date;
  /** The step after this one (null: the end). */
  next: string | null;
}

export interface StepOutcome {
  outcome: 'done' | 'suppressed';
  reason?: string;
  result?: string;
  /** Where to go instead of `next` (branch, split), or 'exit'. */
  goto?: string | null;
  /** Why the enrolment exits (goto 'exit'); default `exit_step`. */
  exitReason?: string;
  store?: string;
  variant?: string;
  coupon?: string;
}

/** The rule with every `$trigger.<prop>` string replaced by that property of the trigger (absent: null, matching nothing). */
export function withTrigger(v: unknown, trigger: Record<string, unknown>): unknown {
  if (typeof v === 'string' && v.startsWith('$trigger.')) return trigger[v.slice('$trigger.'.length)] ?? null;
  if (Array.isArray(v)) return v.map((x) => withTrigger(x, trigger));
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withTrigger(x, trigger)]));
  return v;
}

/** A refusal by the module a step calls (a coupon template paused, its budget spent, the person gone): recorded, not retried. */
function refusal(err: AppError): StepOutcome {
  if (err.status >= 500) throw err;
  return { outcome: 'suppressed', reason: err.code };
}

async function messages(cx: StepContext, step: Step & { send_message: unknown }, batch: EnrolmentRow[]) {
  const { tx } = cx;
  const { channel, text } = (step as { send_message: { channel: string; text: string } }).send_message;
  const stores = new Map<string, string>();
  const list = [];
  for (const e of batch) {
    const fields = await greetingFields(tx, cx.keys, e.customer_id);
    const storeId =
      e.store_id ?? (typeof e.trigger.location_id === 'string' ? e.trigger.location_id : fields.home_store);
    if (storeId && !stores.has(storeId)) stores.set(storeId, (await locationName(tx, storeId)) ?? '');
    const values: Record<string, string> = {
      name: fields.name ?? '',
      coupon: e.coupon_code ?? '',
      store: storeId ? stores.get(storeId)! : '',
    };
    list.push({
      // the same message id on every run of this step for this enrolment: a retry never sends a second one
      messageId: `jm_${e.id}_${step.id}`,
      customerId: e.customer_id,
      channel: channel as MessageToQueue['channel'],
      text: text.replace(/\{\{\s*(name|coupon|store)\s*\}\}/g, (_, k: string) => values[k]!),
      journeyId: e.journey_id,
      stepId: step.id,
      now: cx.now,
    });
  }
  return (await queueMessages(tx, list)).map((r): StepOutcome =>
    r.status === 'suppressed'
      ? { outcome: 'suppressed', reason: r.reason ?? 'suppressed', result: r.messageId }
      : { outcome: 'done', result: r.messageId },
  );
}

async function coupons(cx: StepContext, c: IssueCouponStep['issue_coupon'], batch: EnrolmentRow[]) {
  const out: StepOutcome[] = [];
  const items: { at: number; customer_id: string; scope_sku?: string; scope_location?: string }[] = [];
  batch.forEach((e, at) => {
    const sku = c.sku_from_trigger ? e.trigger.sku : undefined;
    if (c.sku_from_trigger && (typeof sku !== 'string' || sku === ''))
      out[at] = { outcome: 'suppressed', reason: 'no_sku' };
    else if (c.at_picked_store && e.store_id === null) out[at] = { outcome: 'suppressed', reason: 'no_store_picked' };
    else
      items.push({
        at,
        customer_id: e.customer_id,
        ...(typeof sku === 'string' ? { scope_sku: sku } : {}),
        ...(c.at_picked_store && e.store_id !== null ? { scope_location: e.store_id } : {}),
      });
  });
  if (items.length > 0) {
    const issued = await issueCoupons(cx.tx, { template_id: c.template_id, via: 'journey', now: cx.now, items });
    issued.forEach((r, i) => {
      out[items[i]!.at] = r instanceof AppError ? refusal(r) : { outcome: 'done', result: r.code, coupon: r.code };
    });
  }
  return out;
}

/**
 * Runs one step for a batch of enrolments standing at it (a wait that is due is simply done), in
 * a few statements for the batch; answers each enrolment's outcome, in order.
 */
export async function runSteps(cx: StepContext, step: Step, batch: EnrolmentRow[]): Promise<StepOutcome[]> {
  const { tx, now } = cx;
  if ('wait' in step) return batch.map(() => ({ outcome: 'done' }));
  if ('exit' in step) return batch.map(() => ({ outcome: 'done', goto: 'exit' }));
  if ('branch' in step) {
    // people with the same rule (after $trigger) and entry time are evaluated together, as one scope
    const groups = new Map<string, { rule: Rule; entry: Date; roots: string[] }>();
    const keyOf = batch.map((e) => {
      const rule = withTrigger(step.branch.if, e.trigger) as Rule;
      const entry = new Date(e.entered_at);
      const key = `${entry.toISOString()} ${JSON.stringify(rule)}`;
      const g = groups.get(key) ?? { rule, entry, roots: [] };
      g.roots.push(e.customer_id);
      groups.set(key, g);
      return key;
    });
    const holds = new Map<string, Set<string>>();
    for (const [key, g] of groups) holds.set(key, await ruleHoldsFor(tx, g.rule, g.roots, now, g.entry));
    return batch.map((e, i) => {
      const yes = holds.get(keyOf[i]!)!.has(e.customer_id);
      return {
        outcome: 'done',
        result: yes ? 'then' : 'else',
        goto: startOf(yes ? step.branch.then : step.branch.else, cx.next),
      };
    });
  }
  if ('split' in step)
    return batch.map((e) => {
      const v = pickVariant(step.split.variants, bucket(e.journey_id, step.id, e.customer_id));
      return { outcome: 'done', result: v.name, variant: v.name, goto: startOf(v.steps, cx.next) };
    });
  if ('add_tag' in step || 'remove_tag' in step) {
    const roots = await changeManualTags(
      tx,
      batch.map((e) => e.customer_id),
      'add_tag' in step ? { add: step.add_tag } : { remove: step.remove_tag },
    );
    return roots.map((r) => (r === null ? { outcome: 'suppressed', reason: 'not_found' } : { outcome: 'done' }));
  }
  if ('pick_store' in step) {
    const out: StepOutcome[] = [];
    for (const e of batch) {
      const sku = withTrigger(step.pick_store.in_stock_sku, e.trigger);
      const store =
        typeof sku === 'string' && sku !== '' ? await pickStore(tx, e.customer_id, step.pick_store.km, sku) : null;
      // no shop to name: nothing about a store follows, the enrolment exits
      out.push(
        store === null
          ? { outcome: 'suppressed', reason: 'no_store_nearby', goto: 'exit', exitReason: 'no_store_nearby' }
          : { outcome: 'done', result: store, store },
      );
    }
    return out;
  }
  if ('issue_coupon' in step) return coupons(cx, step.issue_coupon, batch);
  return messages(cx, step, batch);
}
