import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { productFacts } from '../catalog/public';
import { underPeople } from '../customers/public';
import { couponRedemptionFacts } from '../loyalty/coupons/public';
import { messageCountsByJourney } from '../messaging/public';
import { isSale, orderLines, orderSummaries } from '../orders/public';
import type { Definition, Goal } from './definition';
import { programOf } from './program';
import { getJourney } from './service';
import { upliftInterval } from './uplift';

/**
 * GET /journeys/:id/report. `entered` counts every enrolment, `holdout` those held out; active,
 * completed and exited count the treated (holdout enrolments are recorded completed and receive
 * nothing). The goal is measured per enrolment: a sale matching the goal placed within
 * `within_days` after entry; incremental net sales are the treated's mean net sales in that
 * window (all their sales, net of refunds, fen) less the holdout's, times the treated.
 */

const rate = (x: number, n: number) => (n === 0 ? 0 : x / n);

interface GroupRow {
  holdout: boolean;
  variant: string | null;
  customers: string;
  converted: string;
  net: string;
}

async function goalGroups(db: Queryable, journeyId: string, g: Goal['ordered']): Promise<GroupRow[]> {
  const byLine = g.sku !== undefined || g.category !== undefined;
  const window = sql`o.root = e.customer_id AND ${isSale('o')} AND o.placed_at > e.entered_at
    AND o.placed_at <= e.entered_at + ${g.within_days} * interval '1 day'`;
  const r = await sql<GroupRow>`
    SELECT e.holdout, e.variant, count(*) AS customers, count(*) FILTER (WHERE hit.n > 0) AS converted,
      coalesce(sum(net.amount), 0) AS net
    FROM journey_enrolments e
    CROSS JOIN LATERAL (SELECT count(*) AS n FROM ${underPeople(orderSummaries)} o
      ${byLine ? sql`JOIN ${orderLines} l ON l.order_id = o.id` : sql``}
      ${g.category !== undefined ? sql`JOIN ${productFacts} pf ON pf.sku = l.sku` : sql``}
      WHERE ${window}
        ${g.sku !== undefined ? sql`AND l.sku = ${g.sku}` : sql``}
        ${g.category !== undefined ? sql`AND pf.category = ${g.category}` : sql``}
        ${g.channel !== undefined ? sql`AND o.channel = ${g.channel}` : sql``}
        ${g.location_id !== undefined ? sql`AND o.location_id = ${g.location_id}` : sql``}) hit
    CROSS JOIN LATERAL (SELECT sum(o.total - o.refunded_total) AS amount
      FROM ${underPeople(orderSummaries)} o WHERE ${window}) net
    WHERE e.journey_id = ${journeyId}
    GROUP BY e.holdout, e.variant`.execute(db);
  return r.rows;
}

function goalFigures(rows: GroupRow[]) {
  const sum = (holdout: boolean, pick: (r: GroupRow) => string) =>
    rows.filter((r) => r.holdout === holdout).reduce((s, r) => s + Number(pick(r)), 0);
  const group = (holdout: boolean) => ({
    customers: sum(holdout, (r) => r.customers),
    converted: sum(holdout, (r) => r.converted),
  });
  const [t, h] = [group(false), group(true)];
  const u = upliftInterval(t.converted, t.customers, h.converted, h.customers);
  const perHead = (holdout: boolean, n: number) => (n === 0 ? 0 : sum(holdout, (r) => r.net) / n);
  return {
    treated: { ...t, rate: rate(t.converted, t.customers) },
    holdout: { ...h, rate: rate(h.converted, h.customers) },
    uplift: u?.uplift ?? null,
    uplift_ci95: u?.ci95 ?? null,
    incremental_net_sales:
      h.customers === 0 ? null : Math.round((perHead(false, t.customers) - perHead(true, h.customers)) * t.customers),
  };
}

export async function journeyReport(db: Queryable, id: string) {
  const j = await getJourney(db, id);
  const def = { trigger: j.trigger, steps: j.steps, goal: j.goal } as Pick<Definition, 'trigger' | 'steps' | 'goal'>;
  const counts = await sql<{ entered: string; holdout: string; active: string; completed: string; exited: string }>`
    SELECT count(*) AS entered, count(*) FILTER (WHERE holdout) AS holdout,
      count(*) FILTER (WHERE NOT holdout AND state = 'active') AS active,
      count(*) FILTER (WHERE NOT holdout AND state = 'completed') AS completed,
      count(*) FILTER (WHERE NOT holdout AND state = 'exited') AS exited
    FROM journey_enrolments WHERE journey_id = ${id}`.execute(db);
  const c = counts.rows[0]!;
  const execs = await sql<{ step_id: string; outcome: string; reason: string | null; n: string }>`
    SELECT step_id, outcome, reason, count(*) AS n FROM journey_step_executions WHERE journey_id = ${id}
    GROUP BY step_id, outcome, reason`.execute(db);
  // the program lists every step depth first, in the definition's order
  const program = programOf(def.steps).steps;
  const steps = [...program.keys()].map((sid) => {
    const rows = execs.rows.filter((r) => r.step_id === sid);
    return {
      id: sid,
      done: rows.filter((r) => r.outcome === 'done').reduce((s, r) => s + Number(r.n), 0),
      suppressed: Object.fromEntries(
        rows.filter((r) => r.outcome === 'suppressed').map((r) => [r.reason ?? 'unknown', Number(r.n)]),
      ) as Record<string, number>,
    };
  });
  const couponSteps = [...program.values()].filter((p) => 'issue_coupon' in p.step).map((p) => p.step.id);
  const coupons = await sql<{ issued: string; redeemed: string }>`
    SELECT count(*) AS issued,
      count(*) FILTER (WHERE x.result IN (SELECT r.code FROM ${couponRedemptionFacts} r WHERE r.restored_at IS NULL)) AS redeemed
    FROM journey_step_executions x
    WHERE x.journey_id = ${id} AND x.outcome = 'done' AND x.step_id = ANY(${couponSteps}::text[])`.execute(db);
  const groups = def.goal ? await goalGroups(db, id, def.goal.ordered) : [];
  const variants = [...new Set(groups.filter((g) => g.variant !== null).map((g) => g.variant!))].sort().map((name) => {
    const rows = groups.filter((g) => g.variant === name && !g.holdout);
    const customers = rows.reduce((s, r) => s + Number(r.customers), 0);
    const converted = rows.reduce((s, r) => s + Number(r.converted), 0);
    return { name, customers, converted, rate: rate(converted, customers) };
  });
  return {
    entered: Number(c.entered),
    holdout: Number(c.holdout),
    active: Number(c.active),
    completed: Number(c.completed),
    exited: Number(c.exited),
    steps,
    messages: await messageCountsByJourney(db, id),
    coupons: { issued: Number(coupons.rows[0]!.issued), redeemed: Number(coupons.rows[0]!.redeemed) },
    goal: def.goal ? goalFigures(groups) : null,
    variants,
  };
}
