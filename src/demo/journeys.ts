import { sql } from 'kysely';
import type { Database } from '../platform/db/database';
import { checkDefinition } from '../modules/journeys/definition';
import { changeState, createJourney } from '../modules/journeys/service';

/**
 * The demo retailer's win-back journey (老客回归), active: people without a sale or store visit for
 * 30 days get the store coupon and, with SMS consent, a message naming it. Its first scan runs at
 * the first tick after start, over the history just loaded; 10 % are held out to measure uplift.
 */
export async function seedDemoJourney(database: Database): Promise<void> {
  const db = database.db;
  const tpl = await sql<{ id: string }>`SELECT id FROM coupon_templates WHERE name = '门店10元券 满50可用'`.execute(db);
  if (!tpl.rows[0]) return;
  const j = await createJourney(
    db,
    await checkDefinition(db, {
      name: '老客回归（30 天未到店）',
      trigger: { inactive: { days: 30 } },
      steps: [
        { id: 'coupon', issue_coupon: { template_id: tpl.rows[0].id } },
        {
          id: 'sms',
          send_message: { channel: 'sms', text: '亲爱的{{name}}，好久不见！送您一张门店10元券 {{coupon}}，满50可用。' },
        },
      ],
      goal: { ordered: { within_days: 14 } },
      holdout_percent: 10,
    }),
  );
  await changeState(database, j.id, 'activate');
}
