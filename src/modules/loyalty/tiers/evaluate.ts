import { sql } from 'kysely';
import type { AppContext } from '../../../platform/http/context';
import { customerRoots } from '../../customers/public';
import { localDay } from '../points/expiry-date';
import { lockedPerson } from '../points/ledger';
import { qualifiedRank, rankOf, tierRules } from './rules';
import { setTier, storedRank } from './service';
import { spend12m, windowStart } from './spend';
import { transact } from '../../../platform/db/transaction';

export const LAST_RUN_KEY = 'loyalty.tiers.last_run';

/**
 * Claims today's run: true for exactly one caller per retailer-local day, across processes (a
 * conditional upsert on the settings row).
 */
async function claimDay(ctx: AppContext, now: Date): Promise<boolean> {
  const day = localDay(now, ctx.config.timezone);
  const value = JSON.stringify({ day, at: now.toISOString() });
  const r = await sql<{ key: string }>`
    INSERT INTO settings (key, value) VALUES (${LAST_RUN_KEY}, ${value}::jsonb)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()
    WHERE settings.value->>'day' < excluded.value->>'day'
    RETURNING key`.execute(ctx.database.db);
  return r.rows.length > 0;
}

/**
 * The daily tier evaluation: whoever holds a tier their 12-month spend no longer reaches moves
 * down to the one it reaches (and, after a change of the rules, up). Runs at most once per
 * retailer-local day (last run kept in settings 'loyalty.tiers.last_run'); `now` is the clock.
 */
export async function evaluateTiers(
  ctx: AppContext,
  now: Date = new Date(),
): Promise<{ ran: boolean; changed: number }> {
  if (!(await claimDay(ctx, now))) return { ran: false, changed: 0 };
  const db = ctx.database.db;
  const rules = await tierRules(db);
  const rows = await sql<{ root: string; tier: string; spend: string }>`
    WITH held AS (
      SELECT c.root, t.tier FROM customer_tiers t JOIN ${customerRoots} c ON c.id = t.customer_id WHERE c.erased_at IS NULL),
    spend AS (
      SELECT c.root, sum(s.amount) AS amount
      FROM tier_spend s JOIN ${customerRoots} c ON c.id = s.customer_id
      WHERE s.at > ${windowStart(now)} AND s.at <= ${now} AND c.root IN (SELECT root FROM held)
      GROUP BY 1)
    SELECT h.root, h.tier, coalesce(s.amount, 0)::text AS spend FROM held h LEFT JOIN spend s ON s.root = h.root`.execute(
    db,
  );
  const best = new Map<string, { rank: number; spend: number }>();
  for (const r of rows.rows) {
    const rank = rankOf(rules, r.tier);
    const prev = best.get(r.root);
    if (!prev || rank > prev.rank) best.set(r.root, { rank, spend: Number(r.spend) });
  }
  let changed = 0;
  for (const [root, h] of best) {
    if (qualifiedRank(rules, h.spend) === h.rank) continue;
    const did = await transact(db, async (tx) => {
      const person = await lockedPerson(tx, root);
      const spend = await spend12m(tx, person.members, now);
      const held = await storedRank(tx, rules, person.members);
      const target = qualifiedRank(rules, spend);
      if (target === held) return false;
      await setTier(tx, person, rules, held, target, spend, now, 'evaluation');
      return true;
    });
    if (did) changed++;
  }
  ctx.log.info({ changed }, 'tiers evaluated');
  return { ran: true, changed };
}

/** The dispatcher task: checks at most once a minute per process whether today's evaluation is due. */
export function evaluateTiersTask(ctx: AppContext, everyMs = 60_000): () => Promise<unknown> {
  let last = 0;
  let lastDay = '';
  return async () => {
    const now = new Date();
    if (now.getTime() - last < everyMs) return;
    last = now.getTime();
    const day = localDay(now, ctx.config.timezone);
    if (day === lastDay) return;
    await evaluateTiers(ctx, now);
    lastDay = day;
  };
}
