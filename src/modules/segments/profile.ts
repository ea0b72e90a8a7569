import { sql } from 'kysely';
import { Type } from '@sinclair/typebox';
import type { Queryable } from '../../platform/db/database';
import { StringEnum } from '../../platform/http/schemas';
import { registerErasureStep } from '../customers/public';
import { registerProfileSection } from '../customers/public';
import { tagsOfCustomers } from '../customers/public';
import { eraseMemberships } from './membership';
import './tables';

/**
 * The profile's `computed_tags` section: every tag the person carries with where it comes from,
 * `rule` (a computed tag's membership, since it entered) or `manual` (a tag put on the profile),
 * by tag. A tag that is both appears twice.
 */
async function tagsOf(db: Queryable, members: string[]) {
  if (members.length === 0) return [];
  const r = await sql<{ tag: string; source: 'rule' | 'manual'; since: Date | null }>`
    SELECT ss.name AS tag, 'rule' AS source, sm.entered_at AS since
    FROM segment_members sm JOIN saved_segments ss ON ss.id = sm.segment_id
    WHERE ss.kind = 'tag' AND sm.customer_id IN (${sql.join(members)})
    UNION ALL SELECT t.tag, 'manual' AS source, NULL AS since FROM ${tagsOfCustomers(members)} t
    ORDER BY 1, 2 DESC`.execute(db);
  return r.rows.map((x) => ({ tag: x.tag, source: x.source, since: x.since ? new Date(x.since).toISOString() : null }));
}

const Section = Type.Array(
  Type.Object({
    tag: Type.String(),
    source: StringEnum(['rule', 'manual'] as const, { description: 'rule: a computed tag (POST /v1/tags); manual' }),
    since: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'when the person entered the computed tag; null for manual tags',
    }),
  }),
  { description: 'every tag of the person with its source, computed (rule) or manual (segments)' },
);

registerProfileSection('computed_tags', tagsOf, Section);
registerErasureStep('segments', (tx, scope) => eraseMemberships(tx, scope.ids));
