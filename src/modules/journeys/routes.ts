import { Type } from '@sinclair/typebox';
import { errors, FreeText, Id, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { checkDefinition } from './definition';
import './erasure';
import { journeyReport } from './report';
import { changeState, createJourney, getJourney, listJourneys } from './service';
import { JOURNEY_STATES } from './tables';

const READ = ['admin', 'marketer', 'analyst'] as const;
const WRITE = ['admin', 'marketer'] as const;

const WIN_BACK = {
  name: '老客回归',
  trigger: { inactive: { days: 30 } },
  steps: [
    { id: 'coupon', issue_coupon: { template_id: 'tpl_winback' } },
    { id: 'sms', send_message: { channel: 'sms', text: '亲爱的{{name}}，好久不见！送您一张券：{{coupon}}' } },
  ],
  goal: { ordered: { within_days: 14 } },
  holdout_percent: 10,
};

// trigger, steps and goal are checked by checkDefinition, whose 422s name the path inside them.
const Body = Type.Object(
  {
    name: FreeText(100, { minLength: 1 }),
    trigger: Type.Unknown({
      description:
        'one of event {type, properties?}, segment_entered "<segment id>", inactive {days}, date_trait {trait, days_before}, broadcast {segment, at}',
    }),
    steps: Type.Unknown({
      description:
        'steps, each with an id unique in the journey and one of wait {duration (ISO-8601: PT2S, PT10M, P3D) | until_time_of_day "HH:MM"}, ' +
        'branch {if: <rule, plus since_entry and "$trigger.<prop>" values>, then, else}, ' +
        'pick_store {km, in_stock_sku: "<sku>" | "$trigger.sku"} (the nearest open store within km that has it; none: the person exits, no_store_nearby), ' +
        'issue_coupon {template_id, sku_from_trigger?, at_picked_store?}, ' +
        "send_message {channel: sms|wechat|push|email, text with {{name}}, {{coupon}}, {{store}} (the picked store, else the trigger's, else home store)}, add_tag, remove_tag, " +
        'split {variants: [{name, weight, steps}]}, exit {}',
    }),
    goal: Type.Optional(
      Type.Unknown({ description: '{ordered: {sku?, category?, channel?, location_id?, within_days}}' }),
    ),
    holdout_percent: Type.Optional(Type.Unknown({ description: 'integer 0..90 (default 0)' })),
    reentry: Type.Optional(
      Type.Unknown({
        description:
          'boolean (default false): without it a person enters once; with it again once their enrolment ended. ' +
          'Inactive and date triggers enter once per occasion (an inactive spell, a year) either way.',
      }),
    ),
  },
  { additionalProperties: false, examples: [WIN_BACK] },
);

const Journey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  state: StringEnum(JOURNEY_STATES),
  trigger: Type.Unknown(),
  steps: Type.Unknown(),
  goal: Type.Unknown(),
  holdout_percent: Type.Integer(),
  reentry: Type.Boolean(),
  version: Type.Integer(),
  activated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const Group = Type.Object({ customers: Type.Integer(), converted: Type.Integer(), rate: Type.Number() });
const Report = Type.Object({
  entered: Type.Integer(),
  holdout: Type.Integer(),
  active: Type.Integer(),
  completed: Type.Integer(),
  exited: Type.Integer(),
  steps: Type.Array(
    Type.Object({
      id: Type.String(),
      done: Type.Integer(),
      suppressed: Type.Record(Type.String(), Type.Integer(), { description: 'by reason' }),
    }),
  ),
  messages: Type.Object({
    sent: Type.Integer(),
    delivered: Type.Integer(),
    failed: Type.Integer(),
    suppressed: Type.Integer(),
  }),
  coupons: Type.Object({ issued: Type.Integer(), redeemed: Type.Integer() }),
  goal: Type.Union([
    Type.Object({
      treated: Group,
      holdout: Group,
      uplift: Type.Union([Type.Number(), Type.Null()]),
      uplift_ci95: Type.Union([Type.Tuple([Type.Number(), Type.Number()]), Type.Null()]),
      incremental_net_sales: Type.Union([Type.Integer({ description: 'fen' }), Type.Null()]),
    }),
    Type.Null(),
  ]),
  variants: Type.Array(
    Type.Object({ name: Type.String(), customers: Type.Integer(), converted: Type.Integer(), rate: Type.Number() }),
  ),
});

/** Journeys (issue 15): definitions, their state, and their report. */
export const journeyRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.post(
    '/journeys',
    {
      config: { roles: WRITE },
      schema: {
        tags: ['journeys'],
        summary: 'Create a journey (a draft: nothing runs until it is activated)',
        description:
          '422 invalid_journey (or invalid_rule inside a branch) names the path of the fault: steps[2].wait.duration.',
        body: Body,
        response: { 201: Journey, ...errors(422) },
      },
    },
    async (req, reply) => reply.code(201).send(await createJourney(db, await checkDefinition(db, req.body))),
  );

  app.get(
    '/journeys',
    {
      config: { roles: READ },
      schema: {
        tags: ['journeys'],
        summary: 'Every journey, newest first',
        querystring: Type.Object({ state: Type.Optional(StringEnum(JOURNEY_STATES)) }),
        response: { 200: Type.Object({ items: Type.Array(Journey) }), ...errors() },
      },
    },
    async (req) => ({ items: await listJourneys(db, req.query.state) }),
  );

  app.get(
    '/journeys/:id',
    {
      config: { roles: READ },
      schema: {
        tags: ['journeys'],
        summary: 'One journey',
        params: Type.Object({ id: Id }),
        response: { 200: Journey, ...errors(404) },
      },
    },
    async (req) => getJourney(db, req.params.id),
  );

  const actions = {
    activate: 'Activate a draft or paused journey: its trigger starts enrolling people and their steps run',
    pause: 'Pause: no step runs and its queued messages are cancelled at once; activate resumes',
    archive: 'Archive for good: nothing runs any more; its report stays',
  } as const;
  for (const [action, summary] of Object.entries(actions) as [keyof typeof actions, string][])
    app.post(
      `/journeys/:id/${action}`,
      {
        config: { roles: WRITE },
        schema: {
          tags: ['journeys'],
          summary,
          params: Type.Object({ id: Id }),
          response: { 200: Journey, ...errors(404, 409) },
        },
      },
      async (req) => changeState(ctx.database, req.params.id, action),
    );

  app.get(
    '/journeys/:id/report',
    {
      config: { roles: READ },
      schema: {
        tags: ['journeys'],
        summary: "A journey's funnel, messages, coupons and goal uplift against its holdout",
        description:
          'entered counts every enrolment, holdout those held out (they receive nothing); active, completed and exited ' +
          'count the treated. The goal is a matching sale within within_days after entry; uplift is the treated rate ' +
          'minus the holdout rate with its 95 % Newcombe hybrid score interval (null without a holdout); ' +
          'incremental_net_sales (fen) the difference in mean net sales in the window times the treated. variants: per split variant.',
        params: Type.Object({ id: Id }),
        response: { 200: Report, ...errors(404) },
      },
    },
    async (req) => journeyReport(db, req.params.id),
  );
};
