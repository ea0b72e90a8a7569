import type { Answer } from './contract';

/**
 * Journeys (src/modules/journeys, issue 15) as the console edits and reads them: the definition
 * (trigger, steps, goal, holdout) exactly as POST /v1/journeys takes it, and the report.
 */

export const TRIGGER_KINDS = ['event', 'segment_entered', 'inactive', 'date_trait', 'broadcast'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];
export type Trigger =
  | { event: { type: string; properties?: Record<string, unknown> } }
  | { segment_entered: string }
  | { inactive: { days: number } }
  | { date_trait: { trait: string; days_before: number } }
  | { broadcast: { segment: string; at: string } };

export const MESSAGE_CHANNELS = ['sms', 'wechat', 'push', 'email'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

export const STEP_KINDS = [
  'wait',
  'branch',
  'pick_store',
  'issue_coupon',
  'send_message',
  'add_tag',
  'remove_tag',
  'split',
  'exit',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export interface Variant {
  name: string;
  weight: number;
  steps: Step[];
}
export type Step = { id: string } & (
  | { wait: { duration: string } | { until_time_of_day: string } }
  | { branch: { if: unknown; then: Step[]; else: Step[] } }
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

export interface JourneyDefinition {
  name: string;
  trigger: Trigger;
  steps: Step[];
  goal?: Goal | null;
  holdout_percent?: number;
  reentry?: boolean;
}

type JourneyAnswer = Answer<'/v1/journeys/{id}'>;
export type JourneyState = JourneyAnswer['state'];
/** GET /v1/journeys/:id, its definition typed (the API declares trigger, steps and goal as JSON). */
export type Journey = Omit<JourneyAnswer, 'trigger' | 'steps' | 'goal'> & {
  trigger: Trigger;
  steps: Step[];
  goal: Goal | null;
};

/** GET /v1/journeys/:id/report */
export type JourneyReport = Answer<'/v1/journeys/{id}/report'>;

export const triggerKind = (t: Trigger): TriggerKind => Object.keys(t)[0] as TriggerKind;
export const stepKind = (s: Step): StepKind => STEP_KINDS.find((k) => k in s) ?? 'exit';

/** A step's ids are unique in the journey: the kind and the first free number. */
export function freshStepId(kind: StepKind, taken: Set<string>): string {
  for (let i = 1; ; i++) if (!taken.has(`${kind}_${i}`)) return `${kind}_${i}`;
}

/** Every step id of these steps and the steps inside their branches and variants. */
export function stepIds(steps: Step[], out = new Set<string>()): Set<string> {
  for (const s of steps) {
    out.add(s.id);
    if ('branch' in s) {
      stepIds(s.branch.then, out);
      stepIds(s.branch.else, out);
    }
    if ('split' in s) for (const v of s.split.variants) stepIds(v.steps, out);
  }
  return out;
}

/** Every step in the order the report lists them: depth first, a branch before its arms. */
export function flatSteps(steps: Step[]): Step[] {
  return steps.flatMap((s) => [
    s,
    ...('branch' in s ? [...flatSteps(s.branch.then), ...flatSteps(s.branch.else)] : []),
    ...('split' in s ? s.split.variants.flatMap((v) => flatSteps(v.steps)) : []),
  ]);
}

/** pick_store's SKU when it is the trigger event's product. */
export const TRIGGER_SKU = '$trigger.sku';

/** A new step of a kind, with a first sensible body. */
export function newStep(kind: StepKind, id: string): Step {
  switch (kind) {
    case 'wait':
      return { id, wait: { duration: 'P3D' } };
    case 'branch':
      return { id, branch: { if: { since_entry: { ordered: { count: { gte: 1 } } } }, then: [], else: [] } };
    case 'pick_store':
      return { id, pick_store: { km: 3, in_stock_sku: TRIGGER_SKU } };
    case 'issue_coupon':
      return { id, issue_coupon: { template_id: '' } };
    case 'send_message':
      return { id, send_message: { channel: 'sms', text: '' } };
    case 'add_tag':
      return { id, add_tag: '' };
    case 'remove_tag':
      return { id, remove_tag: '' };
    case 'split':
      return {
        id,
        split: {
          variants: [
            { name: 'A', weight: 50, steps: [] },
            { name: 'B', weight: 50, steps: [] },
          ],
        },
      };
    case 'exit':
      return { id, exit: {} };
  }
}

export function newTrigger(kind: TriggerKind): Trigger {
  switch (kind) {
    case 'event':
      return { event: { type: 'product_viewed' } };
    case 'segment_entered':
      return { segment_entered: '' };
    case 'inactive':
      return { inactive: { days: 30 } };
    case 'date_trait':
      return { date_trait: { trait: 'birthday', days_before: 3 } };
    case 'broadcast':
      return { broadcast: { segment: '', at: new Date(Date.now() + 3_600_000).toISOString() } };
  }
}

export const JOURNEY_TEMPLATES = ['win_back', 'viewed_not_bought', 'to_store', 'ab_coupon'] as const;
export type JourneyTemplate = (typeof JOURNEY_TEMPLATES)[number];

/** Coupon templates a journey template picks from (GET /v1/coupon-templates): the first active of a kind. */
export interface CouponChoice {
  id: string;
  kind: string;
  status: string;
}

/**
 * The four flows of the brief as journeys to start from: names and texts in the console's
 * language, coupons the first active template of the fitting kind (the marketer picks another).
 */
export function journeyFromTemplate(
  which: JourneyTemplate,
  texts: { name: string; message: string; messageB?: string },
  coupons: CouponChoice[],
): JourneyDefinition {
  const first = (...kinds: string[]) =>
    kinds.map((k) => coupons.find((c) => c.kind === k && c.status === 'active')).find(Boolean)?.id ?? '';
  const goal: Goal = { ordered: { within_days: 14 } };
  switch (which) {
    case 'win_back':
      return {
        name: texts.name,
        trigger: { inactive: { days: 30 } },
        steps: [
          { id: 'coupon', issue_coupon: { template_id: first('amount_off', 'threshold', 'percent_off') } },
          { id: 'message', send_message: { channel: 'sms', text: texts.message } },
        ],
        goal,
        holdout_percent: 10,
      };
    case 'viewed_not_bought':
      return {
        name: texts.name,
        trigger: { event: { type: 'product_viewed' } },
        steps: [
          { id: 'wait', wait: { duration: 'P3D' } },
          {
            id: 'bought',
            branch: {
              if: { since_entry: { ordered: { sku: '$trigger.sku' } } },
              then: [{ id: 'done', exit: {} }],
              else: [
                {
                  id: 'coupon',
                  issue_coupon: { template_id: first('amount_off', 'percent_off'), sku_from_trigger: true },
                },
                { id: 'message', send_message: { channel: 'push', text: texts.message } },
              ],
            },
          },
        ],
        goal,
        holdout_percent: 10,
      };
    case 'to_store':
      return {
        name: texts.name,
        trigger: { event: { type: 'product_viewed' } },
        steps: [
          // the nearest open store within 3 km with the viewed product in stock; none: the customer exits
          { id: 'store', pick_store: { km: 3, in_stock_sku: TRIGGER_SKU } },
          {
            id: 'coupon',
            issue_coupon: {
              template_id: first('amount_off', 'threshold'),
              sku_from_trigger: true,
              at_picked_store: true,
            },
          },
          { id: 'message', send_message: { channel: 'wechat', text: texts.message } },
        ],
        goal,
        holdout_percent: 10,
      };
    case 'ab_coupon':
      return {
        name: texts.name,
        trigger: { inactive: { days: 60 } },
        steps: [
          {
            id: 'ab',
            split: {
              variants: [
                {
                  name: 'A',
                  weight: 50,
                  steps: [
                    { id: 'coupon_a', issue_coupon: { template_id: first('threshold') } },
                    { id: 'message_a', send_message: { channel: 'sms', text: texts.message } },
                  ],
                },
                {
                  name: 'B',
                  weight: 50,
                  steps: [
                    { id: 'coupon_b', issue_coupon: { template_id: first('percent_off') } },
                    { id: 'message_b', send_message: { channel: 'sms', text: texts.messageB ?? texts.message } },
                  ],
                },
              ],
            },
          },
        ],
        goal,
        holdout_percent: 10,
      };
  }
}
