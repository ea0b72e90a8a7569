import type { Queryable } from '../../platform/db/database';
import type { Principal } from '../../platform/auth/roles';
import { decodeCursor, page } from '../../platform/http/pagination';

export interface CustomerSummary {
  id: string;
  created_at: string;
  first_channel: string | null;
  traits: Record<string, unknown>;
  identifiers: { type: string; masked: string | null }[];
}

/** Marketers and analysts never see identifier values, not even masked. */
export function seesIdentifiers(p: Principal): boolean {
  return p.role === 'admin' || p.role === 'support' || p.role === 'store_staff';
}

export async function listCustomers(db: Queryable, principal: Principal, q: { cursor?: string; limit: number }) {
  const after = decodeCursor(q.cursor, 1);
  let query = db
    .selectFrom('customers')
    .select(['id', 'created_at', 'first_channel', 'traits'])
    .where('merged_into', 'is', null)
    .where('erased_at', 'is', null)
    .orderBy('id')
    .limit(q.limit + 1);
  if (after) query = query.where('id', '>', String(after[0]));
  const rows = await query.execute();
  const ids = rows.map((r) => r.id);
  const idents = ids.length
    ? await db.selectFrom('customer_identifiers').select(['customer_id', 'type', 'masked']).where('customer_id', 'in', ids).orderBy('type').execute()
    : [];
  const show = seesIdentifiers(principal);
  const items: CustomerSummary[] = rows.map((r) => ({
    id: r.id,
    created_at: r.created_at.toISOString(),
    first_channel: r.first_channel,
    traits: r.traits,
    identifiers: idents.filter((i) => i.customer_id === r.id).map((i) => ({ type: i.type, masked: show ? i.masked : null })),
  }));
  return page(items, q.limit, (c) => [c.id]);
}
