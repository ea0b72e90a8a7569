import './tables';
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import { audit, erasedSubject } from '../../platform/audit/audit';
import { open, type KeyRing } from '../../platform/crypto/keys';
import type { Database, Tx } from '../../platform/db/database';
import { publish } from '../../platform/events/outbox';
import { conflict, notFound } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { openOrderIds, orderIdsOf } from '../orders/public';
import { erasureSteps } from './erasure-steps';
import { IDENTIFIER_TYPES } from './identifiers';
import { PERSONAL_TRAITS } from './traits';
import { isContactKey, redactContactData } from '../../platform/privacy/contact-data';
import { lockPersons } from '../../platform/db/locks';
import { lockOrdersOf } from '../orders/locks';
import { isRetryable, transact } from '../../platform/db/transaction';
import { groupIds } from './identity';

/**
 * Keys that hold personal data wherever they appear in event properties or event payloads: the
 * personal traits, contact data and identifiers, addresses and coordinates. Dropped (at any depth)
 * from the erased person's events and from outbox payloads that mention them.
 */
export const PERSONAL_KEYS: ReadonlySet<string> = new Set(
  [
    ...PERSONAL_TRAITS,
    ...IDENTIFIER_TYPES,
    'phone',
    'email',
    'name',
    'address',
    'id_number',
    'mobile',
    'nickname',
    'openid',
    'unionid',
    'anonymous_id',
    'ip',
    'ip_address',
    'user_agent',
    'lat',
    'lng',
    'latitude',
    'longitude',
    'delivery_lat',
    'delivery_lng',
  ].map((k) => k.toLowerCase()),
);

export interface ErasureResult {
  erasure_id: string;
  status: 'completed';
}

class Retry extends Error {}

const REDACTED = '[erased]';

function retryable(e: unknown): boolean {
  return e instanceof Retry || isRetryable(e);
}

/** LIKE pattern for "contains s" (escaping % _ and \). */
const containsPattern = (s: string) => `%${s.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * Replaces, in any JSON value: the group's customer ids (at any place in a string) by their
 * substitute, the person's known personal values (case-insensitive) by "[erased]", and drops keys
 * that hold personal data. Returns the same reference when nothing changed.
 */
class Scrubber {
  private readonly values: RegExp | null;
  private readonly ids: RegExp | null;

  constructor(
    values: Iterable<string>,
    private readonly idMap: Map<string, string>,
  ) {
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // each value also as it appears percent-encoded in a URL (a page path, a query string)
    const v = [...new Set([...values].flatMap((s) => [s, encodeURIComponent(s)]))]
      .filter((s) => s.length >= 2)
      .sort((a, b) => b.length - a.length);
    this.values = v.length ? new RegExp(v.map(esc).join('|'), 'gi') : null;
    const ids = [...idMap.keys()].sort((a, b) => b.length - a.length);
    this.ids = ids.length ? new RegExp(ids.map(esc).join('|'), 'g') : null;
  }

  text(s: string): string {
    let out = s;
    if (this.ids) out = out.replace(this.ids, (m) => this.idMap.get(m) ?? m);
    if (this.values) out = out.replace(this.values, REDACTED);
    // whatever looks like a phone or e-mail in the person's text (written before it was refused)
    return redactContactData(out, REDACTED);
  }

  json(v: unknown, dropPersonalKeys = true): unknown {
    if (typeof v === 'string') {
      const t = this.text(v);
      return t === v ? v : t;
    }
    if (Array.isArray(v)) {
      const out = v.map((x) => this.json(x, dropPersonalKeys));
      return out.some((x, i) => x !== v[i]) ? out : v;
    }
    if (v !== null && typeof v === 'object') {
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (dropPersonalKeys && (PERSONAL_KEYS.has(k.toLowerCase()) || isContactKey(k))) {
          changed = true;
          continue;
        }
        const y = this.json(x, dropPersonalKeys);
        if (y !== x) changed = true;
        out[k] = y;
      }
      return changed ? out : v;
    }
    return v;
  }
}

/** Every personal value the group holds, decrypted before the keys are destroyed: to find copies of them elsewhere. */
async function knownValues(
  tx: Tx,
  keys: KeyRing,
  members: { id: string; data_key: Buffer | null; pii: Buffer | null }[],
): Promise<{ values: Set<string>; anonymousIds: string[] }> {
  const values = new Set<string>();
  const anonymousIds: string[] = [];
  const deks = new Map<string, Buffer>();
  for (const m of members) {
    if (!m.data_key) continue;
    try {
      deks.set(m.id, keys.unwrap(m.data_key));
    } catch {
      // a key that no longer unwraps protects nothing readable
    }
  }
  const addPersonal = (obj: unknown) => {
    if (obj === null || typeof obj !== 'object') return;
    for (const v of Object.values(obj as Record<string, unknown>))
      if (typeof v === 'string' && v.trim().length >= 2) values.add(v.trim());
  };
  const tryOpen = (dek: Buffer | undefined, blob: Buffer | null): string | null => {
    if (!dek || !blob) return null;
    try {
      return open(dek, blob).toString('utf8');
    } catch {
      return null;
    }
  };
  const ids = members.map((m) => m.id);
  const idents = await tx
    .selectFrom('customer_identifiers')
    .select(['customer_id', 'type', 'value_enc'])
    .where('customer_id', 'in', ids)
    .execute();
  for (const i of idents) {
    const v = tryOpen(deks.get(i.customer_id), i.value_enc);
    if (v === null) continue;
    values.add(v);
    if (i.type === 'phone' && v.startsWith('+86')) values.add(v.slice(3));
    if (i.type === 'anonymous_id') anonymousIds.push(v);
  }
  for (const m of members) {
    const pii = tryOpen(deks.get(m.id), m.pii);
    if (pii) addPersonal(JSON.parse(pii));
  }
  // What merges overwrote or brought (older names, addresses), sealed under the survivor's key.
  const merges = await tx
    .selectFrom('customer_merges')
    .select(['into_id', 'changes'])
    .where('into_id', 'in', ids)
    .execute();
  for (const m of merges) {
    const c = tryOpen(deks.get(m.into_id), m.changes);
    if (!c) continue;
    const parsed = JSON.parse(c) as { overwritten?: { personal?: unknown }; took?: { personal?: unknown } };
    addPersonal(parsed.overwritten?.personal);
    addPersonal(parsed.took?.personal);
  }
  return { values, anonymousIds };
}

/**
 * Right to erasure. Erases the person an id resolves to — every customer of its One ID group — in
 * one transaction, so it is complete when this returns (the 202 answer says `completed`):
 *
 * - customers: the data key is destroyed (crypto-shredding: every value sealed under it, anywhere,
 *   is unreadable from now on), pii, traits and trait_seen cleared, erased_at set. The row stays as
 *   a tombstone (no personal data) so ids are never reused and references stay valid.
 * - customer_identifiers, customer_tags, customer_consents, customer_merges: the group's rows are
 *   deleted, so the blind index no longer resolves and identify() with the same phone creates a
 *   new customer.
 * - customer_events: personal keys and keys naming contact data (contact_phone, email_address)
 *   dropped from properties (any depth), known values (also percent-encoded, as in a page path)
 *   and anything that looks like a phone or e-mail redacted, anonymous_id cleared, customer_id
 *   replaced by a random substitute per customer. The same redaction applies to every free text
 *   below (Scrubber.text).
 * - orders: stay as anonymous sales: customer_id replaced by the same substitute (one per customer,
 *   so counts of distinct buyers do not change), the sealed address and its key, the delivery
 *   coordinates, the free-text note and a delivery's routing explanation (distances from the
 *   address) cleared. Amounts, lines, channel, store, times, status, payment_ref (accounting) and
 *   pickup_code (a random code) stay, so every sales figure stays what it was.
 *   order_returns: known values redacted from the free-text reason.
 * - outbox / webhook_deliveries: payloads that mention the group, and those of the person's orders
 *   (order.cancelled carries the free-text reason), get ids substituted, personal keys dropped and
 *   known values redacted; aggregate ids substituted.
 * - audit_log: entries about the group or its orders are kept (who touched the person) but name it
 *   by a keyed hash of its id (erasedSubject); known values redacted from reasons.
 * - loyalty (registered steps): points_entries.reason redacted the same way.
 * - idempotency_keys: finished records whose path or stored answer mention the group are deleted.
 * Then `customer.erased` {erasure_id, customer_ids} is published so subscribers and webhooks erase
 * their copies (the only place the bare ids remain, besides the tombstones), and the erasure is
 * audited under the hashed id.
 *
 * Orders still in progress (paid, being delivered, awaiting payment) need the address: the erasure
 * is refused with 409 open_orders until they are completed or cancelled.
 */
export async function eraseCustomer(
  database: Database,
  keys: KeyRing,
  customerId: string,
  actor: Principal | null,
): Promise<ErasureResult> {
  const erasureId = newId('era');
  for (let attempt = 0; ; attempt++) {
    try {
      return await transact(database.db, (tx) => eraseTx(tx, keys, customerId, erasureId, actor));
    } catch (e) {
      if (!retryable(e) || attempt >= 8) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
    }
  }
}

async function eraseTx(
  tx: Tx,
  keys: KeyRing,
  customerId: string,
  erasureId: string,
  actor: Principal | null,
): Promise<ErasureResult> {
  const c = await tx
    .selectFrom('customers')
    .select(['id', 'root_id', 'erased_at'])
    .where('id', '=', customerId)
    .executeTakeFirst();
  if (!c || c.erased_at) throw notFound('customer', 'id');
  const root = c.root_id ?? c.id;
  await lockOrdersOf(tx, await groupIds(tx, root)); // rank 1 first: the erasure rewrites them all (platform/db/locks.ts)
  // Lock the root first (as identify() does), then the group; a merge or unmerge meanwhile: retry.
  const r = await tx
    .selectFrom('customers')
    .select(['id', 'root_id', 'erased_at'])
    .where('id', '=', root)
    .forUpdate()
    .executeTakeFirst();
  if (!r || r.erased_at || r.root_id !== null) throw new Retry();
  const members = await tx
    .selectFrom('customers')
    .select(['id', 'root_id', 'data_key', 'pii'])
    .where(sql<boolean>`coalesce(root_id, id) = ${root}`)
    .orderBy('id')
    .forUpdate()
    .execute();
  if (!members.some((m) => m.id === customerId)) throw new Retry();
  await lockPersons(tx, [root]); // rank 2: the person's points writers wait (loyalty's step rewrites the ledger)
  const ids = members.map((m) => m.id);

  const open = await openOrderIds(tx, ids, 20);
  if (open.length > 0) {
    throw conflict(
      'open_orders',
      'this customer has orders still in progress; erase once they are completed or cancelled',
      'id',
      { orders: open },
    );
  }

  const { values, anonymousIds } = await knownValues(tx, keys, members);
  const substitute = new Map(ids.map((id) => [id, `erased_${crypto.randomBytes(10).toString('hex')}`]));
  const scrub = new Scrubber(values, substitute);
  const counts: Record<string, number> = { customers: ids.length };
  const idPatterns = ids.map(containsPattern);

  // One ID rows: the blind index, sealed values, tags, consents, merge history.
  counts.identifiers = Number(
    (await tx.deleteFrom('customer_identifiers').where('customer_id', 'in', ids).executeTakeFirst()).numDeletedRows,
  );
  await tx.deleteFrom('customer_search_keys').where('customer_id', 'in', ids).execute();
  counts.tags = Number(
    (await tx.deleteFrom('customer_tags').where('customer_id', 'in', ids).executeTakeFirst()).numDeletedRows,
  );
  counts.consents = Number(
    (await tx.deleteFrom('customer_consents').where('customer_id', 'in', ids).executeTakeFirst()).numDeletedRows,
  );
  counts.merges = Number(
    (
      await tx
        .deleteFrom('customer_merges')
        .where((eb) => eb.or([eb('from_id', 'in', ids), eb('into_id', 'in', ids)]))
        .executeTakeFirst()
    ).numDeletedRows,
  );
  await tx
    .updateTable('customers')
    .set({ data_key: null, pii: null, traits: '{}', trait_seen: '{}', erased_at: new Date(), updated_at: new Date() })
    .where('id', 'in', ids)
    .execute();

  // Behaviour events: the person's, and those sent under their anonymous ids.
  const events = await tx
    .selectFrom('customer_events')
    .select(['event_id', 'properties'])
    .where((eb) =>
      eb.or([eb('customer_id', 'in', ids), ...(anonymousIds.length ? [eb('anonymous_id', 'in', anonymousIds)] : [])]),
    )
    .execute();
  const changed = events.flatMap((e) => {
    const p = scrub.json(e.properties);
    return p === e.properties ? [] : [{ event_id: e.event_id, properties: JSON.stringify(p) }];
  });
  for (let i = 0; i < changed.length; i += 500) {
    const chunk = changed.slice(i, i + 500);
    await sql`
      UPDATE customer_events e SET properties = v.p::jsonb
      FROM (SELECT * FROM unnest(${chunk.map((x) => x.event_id)}::text[], ${chunk.map((x) => x.properties)}::text[]) AS t(event_id, p)) v
      WHERE e.event_id = v.event_id`.execute(tx);
  }
  counts.events = events.length;
  for (const [id, sub] of substitute)
    await tx
      .updateTable('customer_events')
      .set({ customer_id: sub, anonymous_id: null })
      .where('customer_id', '=', id)
      .execute();
  if (anonymousIds.length)
    await tx
      .updateTable('customer_events')
      .set({ anonymous_id: null })
      .where('anonymous_id', 'in', anonymousIds)
      .execute();

  // Read before the orders step makes them anonymous sales: their events are scrubbed below.
  const orderIds = await orderIdsOf(tx, ids);
  // Other modules' rows about the person (orders become anonymous sales, loyalty ledgers, ...), registered with registerErasureStep.
  for (const [name, step] of erasureSteps())
    counts[name] = await step(tx, { ids, substitute, scrubText: (t) => scrub.text(t) });

  // Events on their way to subscribers and webhooks, and those already sent.
  // The person's orders' events too: order.cancelled carries the free-text reason, not the customer.
  const about = [...ids, ...orderIds];
  const outbox = await sql<{ id: string; aggregate_id: string; payload: Record<string, unknown> }>`
    SELECT id, aggregate_id, payload FROM outbox
    WHERE aggregate_id IN (${sql.join(about)}) OR payload::text LIKE ANY (${idPatterns}::text[])`.execute(tx);
  counts.outbox = 0;
  for (const o of outbox.rows) {
    const payload = scrub.json(o.payload);
    const aggregateId = substitute.get(o.aggregate_id) ?? o.aggregate_id;
    if (payload === o.payload && aggregateId === o.aggregate_id) continue;
    counts.outbox++;
    await tx
      .updateTable('outbox')
      .set({ payload: JSON.stringify(payload), aggregate_id: aggregateId })
      .where('id', '=', o.id)
      .execute();
  }
  for (const [id, sub] of substitute)
    await tx.updateTable('webhook_deliveries').set({ aggregate_id: sub }).where('aggregate_id', '=', id).execute();

  // The audit trail stays, naming the person by a keyed hash of the id.
  const hashed = new Map(ids.map((id) => [id, erasedSubject(keys, id)]));
  const auditScrub = new Scrubber(values, hashed);
  const entries = await sql<{
    id: string;
    subject: string | null;
    reason: string | null;
    details: Record<string, unknown>;
  }>`
    SELECT id, subject, reason, details FROM audit_log
    WHERE subject IN (${sql.join(about)}) OR details::text LIKE ANY (${idPatterns}::text[])`.execute(tx);
  counts.audit = 0;
  for (const a of entries.rows) {
    const subject = a.subject === null ? null : auditScrub.text(a.subject);
    const reason = a.reason === null ? null : auditScrub.text(a.reason);
    const details = auditScrub.json(a.details);
    if (subject === a.subject && reason === a.reason && details === a.details) continue;
    counts.audit++;
    await tx
      .updateTable('audit_log')
      .set({ subject, reason, details: JSON.stringify(details) })
      .where('id', '=', a.id)
      .execute();
  }

  // Stored answers of earlier requests about the person (e.g. identify by phone → customer id; the
  // record's request_hash is an unkeyed hash of a body that held the phone).
  counts.idempotency = Number(
    (
      await tx
        .deleteFrom('idempotency_keys')
        .where('completed_at', 'is not', null)
        .where(
          sql<boolean>`(path LIKE ANY (${idPatterns}::text[]) OR coalesce(response_body, '') LIKE ANY (${idPatterns}::text[]))`,
        )
        .executeTakeFirst()
    ).numDeletedRows,
  );

  await publish(tx, {
    aggregateType: 'customer',
    aggregateId: root,
    type: 'customer.erased',
    payload: { erasure_id: erasureId, customer_ids: ids },
  });
  await audit(tx, actor, {
    action: 'customer.erase',
    subject: erasedSubject(keys, root),
    details: { erasure_id: erasureId, ...counts },
  });
  return { erasure_id: erasureId, status: 'completed' };
}
