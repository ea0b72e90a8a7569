import './tables';
import type { Queryable } from '../../platform/db/database';
import type { Principal } from '../../platform/auth/roles';
import { decodeCursor, page } from '../../platform/http/pagination';
import { visibilityOf } from './profile';
import { shownPlainTraits } from './trait-schema';

export interface CustomerSummary {
  id: string;
  kind: string;
  created_at: string;
  first_channel: string | null;
  traits: Record<string, unknown>;
  identifiers: { type: string; masked: string | null }[];
  tags: string[];
}

/** Live customers, optionally only those with a tag or these ids; identifiers masked by role (none for marketers and analysts). */
export async function listCustomers(
  db: Queryable,
  principal: Principal,
  q: { cursor?: string; limit: number; tag?: string; ids?: string[] },
) {
  const after = decodeCursor(q.cursor, 1);
  let query = db
    .selectFrom('customers')
    .select(['id', 'kind', 'created_at', 'first_channel', 'traits'])
    .where('merged_into', 'is', null)
    .where('erased_at', 'is', null)
    .orderBy('id')
    .limit(q.limit + 1);
  if (q.tag)
    query = query.where('id', 'in', db.selectFrom('customer_tags').select('customer_id').where('tag', '=', q.tag));
  if (q.ids) query = q.ids.length ? query.where('id', 'in', q.ids) : query.where('id', '=', '');
  if (after) query = query.where('id', '>', String(after[0]));
  const rows = await query.execute();
  const ids = rows.map((r) => r.id);
  const [idents, tags] = ids.length
    ? await Promise.all([
        db
          .selectFrom('customer_identifiers')
          .select(['customer_id', 'type', 'masked'])
          .where('customer_id', 'in', ids)
          .where('type', '<>', 'anonymous_id')
          .orderBy('type')
          .execute(),
        db
          .selectFrom('customer_tags')
          .select(['customer_id', 'tag'])
          .where('customer_id', 'in', ids)
          .orderBy('tag')
          .execute(),
      ])
    : [[], []];
  const vis = visibilityOf(principal);
  const show = vis !== 'none';
  const shown = await Promise.all(rows.map((r) => (vis === 'full' ? r.traits : shownPlainTraits(db, r.traits))));
  const items: CustomerSummary[] = rows.map((r, n) => ({
    id: r.id,
    kind: r.kind,
    created_at: r.created_at.toISOString(),
    first_channel: r.first_channel,
    traits: shown[n],
    identifiers: idents
      .filter((i) => i.customer_id === r.id)
      .map((i) => ({ type: i.type, masked: show ? i.masked : null })),
    tags: tags.filter((t) => t.customer_id === r.id).map((t) => t.tag),
  }));
  return page(items, q.limit, (c) => [c.id]);
}
