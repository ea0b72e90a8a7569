import type { KeyRing } from '../../platform/crypto/keys';
import type { Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import { greetingFields } from '../customers/greeting';
import { addManualTag, removeManualTag } from '../customers/tags';
import { locationName } from '../locations/public';
import { issueCoupon } from '../loyalty/coupons/public';
import { queueMessage } from '../messaging/public';
import { ruleHolds, type Rule } from '../segments/public';
import type { Step } from './definition';
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
  enrolment: EnrolmentRow;
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

/** A step refused by the module it calls (a coupon template paused, its budget spent, the person gone): recorded, not retried. */
async function refused(run: () => Promise<StepOutcome>): Promise<StepOutcome> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return { outcome: 'suppressed', reason: err.code };
    throw err;
  }
}

async function message(cx: StepContext, step: Step & { send_message: unknown }): Promise<StepOutcome> {
  const { tx, enrolment: e } = cx;
  const { channel, text } = (step as { send_message: { channel: string; text: string } }).send_message;
  const fields = await greetingFields(tx, cx.keys, e.customer_id);
  const storeId = e.store_id ?? (typeof e.trigger.location_id === 'string' ? e.trigger.location_id : fields.home_store);
  const store = storeId ? ((await locationName(tx, storeId)) ?? '') : '';
  const values: Record<string, string> = { name: fields.name ?? '', coupon: e.coupon_code ?? '', store };
  const body = text.replace(/\{\{\s*(name|coupon|store)\s*\}\}/g, (_, k: string) => values[k]!);
  const r = await queueMessage(tx, {
    // the same message id on every run of this step for this enrolment: a retry never sends a second one
    messageId: `jm_${e.id}_${step.id}`,
    customerId: e.customer_id,
    channel: channel as Parameters<typeof queueMessage>[1]['channel'],
    text: body,
    journeyId: e.journey_id,
    stepId: step.id,
    now: cx.now,
  });
  return r.status === 'suppressed'
    ? { outcome: 'suppressed', reason: r.reason ?? 'suppressed', result: r.messageId }
    : { outcome: 'done', result: r.messageId };
}

/** Runs one (non-wait) step; a wait that is due is simply done. */
export async function runStep(cx: StepContext, step: Step): Promise<StepOutcome> {
  const { tx, enrolment: e, now } = cx;
  if ('wait' in step) return { outcome: 'done' };
  if ('exit' in step) return { outcome: 'done', goto: 'exit' };
  if ('branch' in step) {
    const rule = withTrigger(step.branch.if, e.trigger) as Rule;
    const yes = await ruleHolds(tx, rule, e.customer_id, now, new Date(e.entered_at));
    const list = yes ? step.branch.then : step.branch.else;
    return { outcome: 'done', result: yes ? 'then' : 'else', goto: startOf(list, cx.next) };
  }
  if ('split' in step) {
    const v = pickVariant(step.split.variants, bucket(e.journey_id, step.id, e.customer_id));
    return { outcome: 'done', result: v.name, variant: v.name, goto: startOf(v.steps, cx.next) };
  }
  if ('add_tag' in step || 'remove_tag' in step)
    return refused(async () => {
      if ('add_tag' in step) await addManualTag(tx, e.customer_id, step.add_tag);
      else await removeManualTag(tx, e.customer_id, step.remove_tag);
      return { outcome: 'done' };
    });
  if ('pick_store' in step) {
    const sku = withTrigger(step.pick_store.in_stock_sku, e.trigger);
    const store =
      typeof sku === 'string' && sku !== '' ? await pickStore(tx, e.customer_id, step.pick_store.km, sku) : null;
    // no shop to name: nothing about a store follows, the enrolment exits
    if (store === null)
      return { outcome: 'suppressed', reason: 'no_store_nearby', goto: 'exit', exitReason: 'no_store_nearby' };
    return { outcome: 'done', result: store, store };
  }
  if ('issue_coupon' in step) {
    const c = step.issue_coupon;
    const sku = c.sku_from_trigger ? e.trigger.sku : undefined;
    if (c.sku_from_trigger && (typeof sku !== 'string' || sku === ''))
      return { outcome: 'suppressed', reason: 'no_sku' };
    if (c.at_picked_store && e.store_id === null) return { outcome: 'suppressed', reason: 'no_store_picked' };
    return refused(async () => {
      const issued = await issueCoupon(tx, {
        template_id: c.template_id,
        customer_id: e.customer_id,
        via: 'journey',
        now,
        ...(typeof sku === 'string' ? { scope_sku: sku } : {}),
        ...(c.at_picked_store && e.store_id !== null ? { scope_location: e.store_id } : {}),
      });
      return { outcome: 'done', result: issued.code, coupon: issued.code };
    });
  }
  return message(cx, step);
}
