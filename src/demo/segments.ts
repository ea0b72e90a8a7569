import type { Database } from '../platform/db/database';
import { rebuildCategoryRollup } from '../modules/segments/category-rollup';
import { refreshSegment } from '../modules/segments/membership';
import { createSaved, listSaved } from '../modules/segments/saved';

/**
 * The demo retailer's saved segments, evaluated with the preset computed tags (those first: one
 * segment uses them). A backfill like the rest of the history: memberships are stored, no
 * segment.entered events published for them; from then on the upkeep task publishes changes.
 */
export const DEMO_SEGMENTS = [
  {
    name: '加购未下单（近 7 天）',
    description: '近 7 天加购过商品，之后没有下单',
    rule: { all: [{ event: { type: 'added_to_cart', within_days: 7 } }, { not: { ordered: { within_days: 7 } } }] },
  },
  {
    name: '高价值女性会员',
    description: '女性，近 365 天消费满 ¥1,000',
    rule: {
      all: [{ trait: { name: 'gender', eq: 'female' } }, { ordered: { spend: { gte: 100000 }, within_days: 365 } }],
    },
  },
  {
    name: '沉睡客户',
    description: '买过，但近 90 天没有下单',
    rule: { all: [{ ordered: {} }, { not: { ordered: { within_days: 90 } } }] },
  },
  {
    name: '母婴高消费',
    description: '同时带有「母婴人群」和「高消费力」两个标签',
    rule: { all: [{ tag: '母婴人群' }, { tag: '高消费力' }] },
  },
];

export async function seedDemoSegments(database: Database): Promise<number> {
  const db = database.db;
  // the history was bulk-loaded: the presets' category purchases are counted once, then kept
  await rebuildCategoryRollup(db);
  for (const tag of await listSaved(db, 'tag')) await refreshSegment(db, tag.id, { publish: false });
  for (const s of DEMO_SEGMENTS) await createSaved(db, 'segment', s, { publish: false });
  return DEMO_SEGMENTS.length;
}
