import './tables';
import { sql } from 'kysely';
import { CHANNELS, type Principal } from '../../platform/auth/roles';
import { audit } from '../../platform/audit/audit';
import type { Database, Queryable } from '../../platform/db/database';
import { publish } from '../../platform/events/outbox';
import { notFound } from '../../platform/http/errors';
import { groupIds, rootOf } from './identity';
import { transact } from '../../platform/db/transaction';

/** What a customer may consent to; anything not granted is refused (default: not granted). */
export const CONSENT_PURPOSES = [
  'marketing_sms',
  'marketing_wechat',
  'marketing_push',
  'marketing_email',
  'personalization',
  'analytics',
] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** Where a consent was given: the sales channels, the back office, the customer-service line, a bulk import. */
export const CONSENT_CHANNELS = [...CHANNELS, 'console', 'call_center', 'import'] as const;

/** The consent in force for one purpose; `at`, `channel` and `source` are null when none was ever recorded. */
export interface ConsentState {
  purpose: ConsentPurpose;
  granted: boolean;
  at: string | null;
  channel: string | null;
  source: string | null;
}

/** One entry of the append-only history; `customer_id` is the member of the group it was recorded on. */
export interface ConsentRecord {
  customer_id: string;
  purpose: string;
  granted: boolean;
  at: string;
  channel: string;
  source: string;
}

export interface ConsentInput {
  granted: boolean;
  channel: string;
  source: string;
}

type Row = { customer_id: string; purpose: string; granted: boolean; at: Date; channel: string; source: string };

const toRecord = (r: Row): ConsentRecord => ({
  customer_id: r.customer_id,
  purpose: r.purpose,
  granted: r.granted,
  at: new Date(r.at).toISOString(),
  channel: r.channel,
  source: r.source,
});

/**
 * Appends a consent record for the customer the id names. It is recorded on that very id (a
 * merged-away id keeps its own rows, like every other fact of One ID) so an unmerge takes it
 * along; reads span the group. Emits `customer.consent_changed` and an audit record (who).
 */
export async function recordConsent(
  database: Database,
  customerId: string,
  purpose: ConsentPurpose,
  input: ConsentInput,
  actor: Principal,
): Promise<ConsentRecord & { root: string }> {
  return transact(database.db, async (tx) => {
    // Lock the customer row so an erasure cannot slip between the check and the insert.
    const c = await tx
      .selectFrom('customers')
      .select(['id', 'root_id', 'erased_at'])
      .where('id', '=', customerId)
      .forShare()
      .executeTakeFirst();
    if (!c || c.erased_at) throw notFound('customer', 'id');
    const root = c.root_id ?? c.id;
    const row = await tx
      .insertInto('customer_consents')
      .values({ customer_id: c.id, purpose, granted: input.granted, channel: input.channel, source: input.source })
      .returning(['customer_id', 'purpose', 'granted', 'at', 'channel', 'source'])
      .executeTakeFirstOrThrow();
    await publish(tx, {
      aggregateType: 'customer',
      aggregateId: root,
      type: 'customer.consent_changed',
      payload: { customer_id: root, purpose, granted: input.granted, channel: input.channel },
    });
    await audit(tx, actor, {
      action: 'customer.consent',
      subject: root,
      details: { purpose, granted: input.granted, channel: input.channel },
    });
    return { ...toRecord(row), root };
  });
}

/** The consent in force per purpose for a group of customer ids (one person): the latest record wins. */
export async function currentConsents(db: Queryable, members: string[]): Promise<ConsentState[]> {
  const rows = members.length
    ? (
        await sql<Row>`
          SELECT DISTINCT ON (purpose) customer_id, purpose, granted, at, channel, source
          FROM customer_consents WHERE customer_id IN (${sql.join(members)})
          ORDER BY purpose, at DESC, id DESC`.execute(db)
      ).rows
    : [];
  return CONSENT_PURPOSES.map((purpose) => {
    const r = rows.find((x) => x.purpose === purpose);
    return r
      ? { purpose, granted: r.granted, at: new Date(r.at).toISOString(), channel: r.channel, source: r.source }
      : { purpose, granted: false, at: null, channel: null, source: null };
  });
}

/** Every consent record of a group, newest first. */
export async function consentHistory(db: Queryable, members: string[]): Promise<ConsentRecord[]> {
  if (members.length === 0) return [];
  const rows = await db
    .selectFrom('customer_consents')
    .select(['customer_id', 'purpose', 'granted', 'at', 'channel', 'source'])
    .where('customer_id', 'in', members)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toRecord);
}

/** Current state and history of the person an id resolves to; null when unknown or erased. */
export async function readConsents(
  db: Queryable,
  customerId: string,
): Promise<{ customer_id: string; consents: ConsentState[]; history: ConsentRecord[] } | null> {
  const root = await rootOf(db, customerId);
  if (!root) return null;
  const members = await groupIds(db, root);
  const [consents, history] = await Promise.all([currentConsents(db, members), consentHistory(db, members)]);
  return { customer_id: root, consents, history };
}

/**
 * Whether the person an id resolves to has consented to a purpose: across the whole merged group
 * the latest record wins; no record, an unknown or an erased customer mean no. For journeys,
 * exports and anything else that must respect consent.
 */
export async function isGranted(db: Queryable, customerId: string, purpose: ConsentPurpose): Promise<boolean> {
  const root = await rootOf(db, customerId);
  if (!root) return false;
  const r = await sql<{ granted: boolean }>`
    SELECT cc.granted FROM customer_consents cc JOIN customers c ON c.id = cc.customer_id
    WHERE coalesce(c.root_id, c.id) = ${root} AND cc.purpose = ${purpose}
    ORDER BY cc.at DESC, cc.id DESC LIMIT 1`.execute(db);
  return r.rows[0]?.granted ?? false;
}
