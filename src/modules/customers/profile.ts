import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import { open, type KeyRing } from '../../platform/crypto/keys';
import type { Database } from '../../platform/db/database';
import { orderSummaries } from '../orders/public';
import { currentConsents, type ConsentState } from './consent';
import { dataKeyOf, groupIds, rootOf, traitState } from './identity';
import { readProfileSections } from './profile-sections';
import { shownPlainTraits } from './trait-schema';

type Db = Database['db'];

/** What each role may see of a person. */
export type Visibility = 'full' | 'masked' | 'none';

export function visibilityOf(p: Principal): Visibility {
  if (p.role === 'admin') return 'full';
  if (p.role === 'support' || p.role === 'store_staff') return 'masked';
  return 'none';
}

export function maskText(v: unknown): string {
  const s = String(v ?? '');
  return s.length <= 1 ? '*' : s.slice(0, 1) + '*'.repeat(Math.min(6, s.length - 1));
}

export interface IdentifierView {
  type: string;
  value?: string;
  masked?: string;
  strong: boolean;
  first_seen: string;
  last_seen: string;
  verified_by: string | null;
}

export interface Profile {
  id: string;
  requested_id?: string;
  merged_into?: string;
  kind: string;
  created_at: string;
  first_channel: string | null;
  identifiers: IdentifierView[];
  traits: Record<string, unknown>;
  tags: string[];
  /** The consent in force per purpose, across the group. */
  consents: ConsentState[];
  stats: {
    orders: number;
    spend: number;
    by_channel: { channel: string; orders: number; spend: number; last_order_at: string | null }[];
    last_seen: { channel: string; at: string }[];
  };
  merges: { merge_id: string; from: string; into: string; at: string; undone_at: string | null; linked_by: string[] }[];
  members: string[];
  /** Sections other modules register (registerProfileSection), e.g. loyalty. */
  [section: string]: unknown;
}

/** The 360° profile of the person an id resolves to, shown as the caller's role allows. */
export async function readProfile(db: Db, keys: KeyRing, id: string, viewer: Principal): Promise<Profile | null> {
  const root = await rootOf(db, id);
  if (!root) return null;
  const members = await groupIds(db, root);
  const c = await db.selectFrom('customers').selectAll().where('id', '=', root).executeTakeFirstOrThrow();
  const vis = visibilityOf(viewer);
  const idents = await db
    .selectFrom('customer_identifiers')
    .select(['customer_id', 'type', 'value_enc', 'masked', 'strong', 'first_seen', 'last_seen', 'verified_by'])
    .where('customer_id', 'in', members)
    .where('type', '<>', 'anonymous_id')
    .orderBy('type')
    .orderBy('first_seen')
    .execute();
  const dekCache = new Map<string, Buffer>();
  const dekFor = async (cid: string) => {
    if (!dekCache.has(cid)) {
      const row = await db.selectFrom('customers').select('data_key').where('id', '=', cid).executeTakeFirstOrThrow();
      dekCache.set(cid, dataKeyOf(keys, row));
    }
    return dekCache.get(cid)!;
  };
  const identifiers: IdentifierView[] = [];
  for (const i of idents) {
    const v: IdentifierView = {
      type: i.type,
      strong: i.strong,
      first_seen: i.first_seen.toISOString(),
      last_seen: i.last_seen.toISOString(),
      verified_by: i.verified_by,
    };
    if (vis !== 'none') v.masked = i.masked;
    if (vis === 'full' && i.value_enc) v.value = open(await dekFor(i.customer_id), i.value_enc).toString('utf8');
    identifiers.push(v);
  }
  const state = traitState(keys, c);
  // Roles that may not see contact data see no plain trait that holds it (stored before the checks).
  const traits: Record<string, unknown> =
    vis === 'full' ? { ...state.plain, ...state.personal } : await shownPlainTraits(db, state.plain);
  if (vis === 'masked') for (const [k, v] of Object.entries(state.personal)) traits[k] = maskText(v);

  const [byChannel, lastSeen, tags, merges, consents, sections] = await Promise.all([
    sql<{ channel: string; orders: string; spend: string; last_order_at: Date | null }>`
      SELECT channel, count(*)::text AS orders, coalesce(sum(total - refunded_total), 0)::text AS spend, max(placed_at) AS last_order_at
      FROM ${orderSummaries} o WHERE customer_id IN (${sql.join(members)}) AND status NOT IN ('pending_payment','cancelled','expired')
      GROUP BY channel ORDER BY channel`.execute(db),
    sql<{ channel: string; at: Date }>`
      SELECT channel, max(at) AS at FROM (
        SELECT channel, occurred_at AS at FROM customer_events WHERE customer_id IN (${sql.join(members)})
        UNION ALL SELECT channel, placed_at AS at FROM ${orderSummaries} o WHERE customer_id IN (${sql.join(members)})) x
      GROUP BY channel ORDER BY channel`.execute(db),
    db
      .selectFrom('customer_tags')
      .select('tag')
      .distinct()
      .where('customer_id', 'in', members)
      .orderBy('tag')
      .execute(),
    db
      .selectFrom('customer_merges')
      .selectAll()
      .where((eb) => eb.or([eb('into_id', 'in', members), eb('from_id', 'in', members)]))
      .orderBy('created_at')
      .execute(),
    currentConsents(db, members),
    readProfileSections(db, members),
  ]);
  const by = byChannel.rows.map((r) => ({
    channel: r.channel,
    orders: Number(r.orders),
    spend: Number(r.spend),
    last_order_at: r.last_order_at ? new Date(r.last_order_at).toISOString() : null,
  }));
  const profile: Profile = {
    id: root,
    kind: c.kind,
    created_at: c.created_at.toISOString(),
    first_channel: c.first_channel,
    identifiers,
    traits,
    tags: tags.map((t) => t.tag),
    consents,
    stats: {
      orders: by.reduce((t, b) => t + b.orders, 0),
      spend: by.reduce((t, b) => t + b.spend, 0),
      by_channel: by,
      last_seen: lastSeen.rows.map((r) => ({ channel: r.channel, at: new Date(r.at).toISOString() })),
    },
    merges: merges.map((m) => ({
      merge_id: m.id,
      from: m.from_id,
      into: m.into_id,
      at: m.created_at.toISOString(),
      undone_at: m.undone_at ? m.undone_at.toISOString() : null,
      linked_by: m.linked_by,
    })),
    members,
    ...sections,
  };
  if (id !== root) {
    profile.requested_id = id;
    profile.merged_into = root;
  }
  return profile;
}

/** The till's member lookup: exact identifier match only, through the blind index. */
export async function lookup(db: Db, keys: KeyRing, type: string, normalised: string): Promise<string | null> {
  const rows = await db
    .selectFrom('customer_identifiers')
    .select(['customer_id', 'last_seen'])
    .where('type', '=', type)
    .where('value_hash', '=', keys.blindIndex(type, normalised))
    .orderBy('last_seen', 'desc')
    .execute();
  for (const r of rows) {
    const root = await rootOf(db, r.customer_id);
    if (root) return root;
  }
  return null;
}
