import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { csvLine } from '../../platform/http/csv';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination';
import { groupTierRanks, tierNames } from '../loyalty/public';
import { isSale, orderSummaries } from '../orders/public';
import { customerRoots } from './public';

/** What the customers list can be sorted by besides its default (id, i.e. oldest first): each largest first. */
export const LIST_SORTS = ['spend', 'last_sale', 'tier'] as const;
export type ListSort = (typeof LIST_SORTS)[number];

/** Which people the list holds: live (not merged away, not erased), with a tag, among these ids. */
export interface ListFilter {
  tag?: string;
  ids?: string[];
}

const where = (f: ListFilter): RawBuilder<unknown> =>
  sql.join(
    [
      sql`p.merged_into IS NULL AND p.erased_at IS NULL`,
      ...(f.tag ? [sql`p.id IN (SELECT customer_id FROM customer_tags WHERE tag = ${f.tag})`] : []),
      ...(f.ids ? [f.ids.length ? sql`p.id IN (${sql.join(f.ids)})` : sql`false`] : []),
    ],
    sql` AND `,
  );

/** How many people match (exact: one count over the customers' primary rows). */
export async function countCustomers(db: Queryable, f: ListFilter): Promise<number> {
  const r = await sql<{ n: string }>`SELECT count(*)::text AS n FROM customers p WHERE ${where(f)}`.execute(db);
  return Number(r.rows[0].n);
}

/** Each person's sales (orders' isSale: paid or completed, not cancelled or expired) per root. */
const salesByRoot = sql`(
  SELECT c.root, sum(o.total - o.refunded_total) AS spend, max(o.placed_at) AS last_at
  FROM ${orderSummaries} o JOIN ${customerRoots} c ON c.id = o.customer_id
  WHERE o.customer_id IS NOT NULL AND ${isSale('o')} GROUP BY c.root)`;

const sortKey: Record<ListSort, RawBuilder<unknown>> = {
  spend: sql`coalesce(s.spend, 0)::bigint`,
  last_sale: sql`coalesce((extract(epoch FROM s.last_at) * 1000)::bigint, -1)`,
  tier: sql`coalesce(t.rank, 0)::bigint`,
};

/**
 * One page of people's ids sorted by spend, last sale or tier, largest first, then by id; the
 * cursor is the last row's key. Spend and last sale are computed from the orders' public
 * fragments, tiers from loyalty's, at read time.
 */
export async function sortedIds(
  db: Queryable,
  sort: ListSort,
  f: ListFilter,
  cursor: string | undefined,
  limit: number,
): Promise<{ ids: string[]; next_cursor: string | null }> {
  const after = decodeCursor(cursor, 2, ['int', 'string']);
  const tiers = sort === 'tier' ? sql`LEFT JOIN ${groupTierRanks(new Date())} t ON t.root = p.id` : sql``;
  const sales = sort === 'tier' ? sql`` : sql`LEFT JOIN ${salesByRoot} s ON s.root = p.id`;
  const r = await sql<{ id: string; k: string }>`
    SELECT x.id, x.k::text AS k FROM (
      SELECT p.id, ${sortKey[sort]} AS k FROM customers p ${sales} ${tiers} WHERE ${where(f)}) x
    ${after ? sql`WHERE x.k < ${after[0]} OR (x.k = ${after[0]} AND x.id > ${after[1]})` : sql``}
    ORDER BY x.k DESC, x.id LIMIT ${limit + 1}`.execute(db);
  const rows = r.rows.slice(0, limit);
  const last = rows[rows.length - 1];
  return {
    ids: rows.map((x) => x.id),
    next_cursor: r.rows.length > limit ? encodeCursor([Number(last.k), last.id]) : null,
  };
}

export interface ListStats {
  total_spend: number;
  last_sale_at: string | null;
  last_sale_channel: string | null;
  tier: { code: string; name: string; display_name: { 'zh-CN'?: string; en?: string } } | null;
}

/** Spend, last sale (time and channel) and tier of these people (root ids), for one page. */
export async function statsOf(db: Queryable, roots: string[]): Promise<Map<string, ListStats>> {
  const out = new Map<string, ListStats>();
  if (roots.length === 0) return out;
  const members = sql`(SELECT id FROM customers WHERE id IN (${sql.join(roots)}) OR root_id IN (${sql.join(roots)}))`;
  const [sales, ranks, names] = await Promise.all([
    sql<{ root: string; spend: string; last_at: Date; channel: string }>`
      SELECT c.root, sum(o.total - o.refunded_total)::text AS spend, max(o.placed_at) AS last_at,
        (array_agg(o.channel ORDER BY o.placed_at DESC))[1] AS channel
      FROM ${orderSummaries} o JOIN ${customerRoots} c ON c.id = o.customer_id
      WHERE o.customer_id IN ${members} AND ${isSale('o')} GROUP BY c.root`.execute(db),
    sql<{ root: string; rank: number }>`
      SELECT t.root, t.rank FROM ${groupTierRanks(new Date())} t WHERE t.root IN (${sql.join(roots)})`.execute(db),
    tierNames(db),
  ]);
  const rankOf = new Map(ranks.rows.map((r) => [r.root, Number(r.rank)]));
  const saleOf = new Map(sales.rows.map((r) => [r.root, r]));
  for (const root of roots) {
    const s = saleOf.get(root);
    out.set(root, {
      total_spend: s ? Number(s.spend) : 0,
      last_sale_at: s ? new Date(s.last_at).toISOString() : null,
      last_sale_channel: s?.channel ?? null,
      tier: names[rankOf.get(root) ?? 0] ?? null,
    });
  }
  return out;
}

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** A row of the customers list: the summary, the name as the caller's role may see it, tier, spend, last sale. */
export const ListItem = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  created_at: Type.String(),
  first_channel: Nullable(Type.String()),
  traits: Type.Record(Type.String(), Type.Unknown()),
  identifiers: Type.Array(Type.Object({ type: Type.String(), masked: Nullable(Type.String()) })),
  tags: Type.Array(Type.String()),
  name: Nullable(Type.String({ description: 'admins: in full; support and store staff: masked (王**); others: null' })),
  tier: Nullable(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      display_name: Type.Object({ 'zh-CN': Type.Optional(Type.String()), en: Type.Optional(Type.String()) }),
    }),
  ),
  total_spend: Type.Integer({ description: 'fen: sales (paid or completed) net of refunds, every channel' }),
  last_sale_at: Nullable(Type.String()),
  last_sale_channel: Nullable(Type.String()),
});
type Item = Static<typeof ListItem>;

/** The most customers one CSV export holds; a wider one is refused (422 export_too_large). */
export const CUSTOMER_EXPORT_MAX = 10000;

/** The list as CSV: id, name (as the role sees it), tier code, spend in fen, last sale, its channel, created. */
export function customersCsv(items: Item[]): string {
  const head = csvLine(['id', 'name', 'tier', 'total_spend_fen', 'last_sale_at', 'last_sale_channel', 'created_at']);
  return (
    head +
    items
      .map((c) =>
        csvLine([c.id, c.name, c.tier?.code ?? null, c.total_spend, c.last_sale_at, c.last_sale_channel, c.created_at]),
      )
      .join('')
  );
}
