import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Tx } from '../db/database';
import { SafeHttpClient } from '../net/safe-url';
import type { PublishedEvent } from './outbox';
import { deliverSigned } from './signature';
import { loggableError } from '../logging';
import { transact } from '../db/transaction';

export type Subscriber = (event: PublishedEvent, tx: Tx) => Promise<void>;
/** Gets every event of its types in one dispatched batch (in outbox order), once per batch. */
export type BatchSubscriber = (events: PublishedEvent[], tx: Tx) => Promise<void>;

/** About 14 hours of retries with the one-hour cap: a retailer's endpoint may be down overnight. */
const MAX_ATTEMPTS = 20;
const BATCH = 200;

/** Backoff after the n-th failed attempt: 2, 4, 8 ... seconds, at most one hour. */
export function backoffSeconds(attempts: number): number {
  return Math.min(3600, 2 ** attempts);
}

/**
 * Moves events from the outbox to in-process subscribers and to webhooks.
 * At-least-once; per webhook, events of one aggregate are delivered in order (an event waits
 * while an earlier one for the same aggregate is still pending). Several processes may run it:
 * rows are claimed with FOR UPDATE SKIP LOCKED.
 */
export class Dispatcher {
  private readonly subscribers = new Map<string, Subscriber[]>();
  private readonly batchSubscribers: { types: Set<string>; handler: BatchSubscriber }[] = [];
  private readonly tasks: { name: string; run: () => Promise<unknown> }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** The client webhooks are POSTed with (SSRF-checked, kept alive); periodic tasks that POST to operator URLs share it. */
  readonly http: SafeHttpClient;

  /** allowPrivateUrls: deliver to loopback and private addresses too (development only). */
  constructor(
    private readonly database: Database,
    private readonly log: Logger,
    private readonly intervalMs: number,
    allowPrivateUrls = false,
    private readonly fetchTimeoutMs = 5000,
  ) {
    this.http = new SafeHttpClient(allowPrivateUrls);
  }

  /** Subscribe to an event type, or '*' for all. Handlers run inside the dispatching transaction. */
  subscribe(type: string, handler: Subscriber): void {
    const list = this.subscribers.get(type) ?? [];
    list.push(handler);
    this.subscribers.set(type, list);
  }

  /**
   * Subscribe to these event types once per dispatched batch (up to 200 events), after the per-event
   * handlers and inside the same transaction: for work that depends on the current state rather
   * than on each event (re-evaluating a SKU once however many of its events the batch holds).
   */
  subscribeBatch(types: string[], handler: BatchSubscriber): void {
    this.batchSubscribers.push({ types: new Set(types), handler });
  }

  /** A periodic job run on every tick (expiring reservations, sending courier jobs). */
  addTask(name: string, run: () => Promise<unknown>): void {
    this.tasks.push({ name, run });
  }

  start(): void {
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((err) => this.log.error({ error: loggableError(err) }, 'dispatcher tick failed'));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.intervalMs);
    };
    this.timer = setTimeout(() => void tick(), this.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.http.close();
  }

  /** One pass: periodic tasks, fan out new outbox rows, then attempt due deliveries. Returns counts. */
  async runOnce(): Promise<{ fannedOut: number; delivered: number; failed: number }> {
    for (const t of this.tasks) {
      try {
        await t.run();
      } catch (err) {
        this.log.error({ error: loggableError(err), task: t.name }, 'periodic task failed');
      }
    }
    const fannedOut = await this.fanOut();
    // Each pass delivers one event per aggregate (order per aggregate); keep going while there is work.
    let delivered = 0;
    let failed = 0;
    for (let pass = 0; pass < 20; pass++) {
      const r = await this.deliverDue();
      delivered += r.delivered;
      failed += r.failed;
      if (r.delivered === 0) break;
    }
    return { fannedOut, delivered, failed };
  }

  private async fanOut(): Promise<number> {
    return transact(this.database.db, async (tx) => {
      const rows = (
        await sql<{
          id: string;
          aggregate_type: string;
          aggregate_id: string;
          type: string;
          payload: Record<string, unknown>;
          occurred_at: Date;
        }>`
          SELECT id, aggregate_type, aggregate_id, type, payload, occurred_at FROM outbox
          WHERE dispatched_at IS NULL ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`.execute(tx)
      ).rows;
      if (rows.length === 0) return 0;
      const hooks = await tx.selectFrom('webhooks').select(['id', 'events']).where('active', '=', true).execute();
      const events: PublishedEvent[] = [];
      for (const r of rows) {
        const event: PublishedEvent = {
          id: String(r.id),
          aggregateType: r.aggregate_type,
          aggregateId: r.aggregate_id,
          type: r.type,
          payload: r.payload,
          occurredAt: r.occurred_at,
        };
        events.push(event);
        for (const handler of [...(this.subscribers.get(r.type) ?? []), ...(this.subscribers.get('*') ?? [])])
          await handler(event, tx);
        const targets = hooks.filter((h) => h.events.includes(r.type) || h.events.includes('*'));
        if (targets.length > 0) {
          await tx
            .insertInto('webhook_deliveries')
            .values(
              targets.map((h) => ({
                webhook_id: h.id,
                outbox_id: r.id,
                aggregate_id: r.aggregate_id,
                last_error: null,
                delivered_at: null,
              })),
            )
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
      }
      for (const b of this.batchSubscribers) {
        const mine = events.filter((e) => b.types.has(e.type));
        if (mine.length > 0) await b.handler(mine, tx);
      }
      await tx
        .updateTable('outbox')
        .set({ dispatched_at: new Date() })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      return rows.length;
    });
  }

  private async deliverDue(): Promise<{ delivered: number; failed: number }> {
    // Claim due deliveries with a short lease, then POST outside any transaction so a slow
    // receiver never holds a database connection (PGlite has only one).
    const due = (
      await sql<{
        id: string;
        url: string;
        secret: string;
        outbox_id: string;
        attempts: number;
        type: string;
        aggregate_type: string;
        aggregate_id: string;
        payload: Record<string, unknown>;
        occurred_at: Date;
      }>`
        WITH claimed AS (
          UPDATE webhook_deliveries SET next_attempt_at = now() + interval '60 seconds'
          WHERE id IN (
            SELECT d.id FROM webhook_deliveries d
            WHERE d.status = 'pending' AND d.next_attempt_at <= now()
              AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.active)
              AND NOT EXISTS (
                SELECT 1 FROM webhook_deliveries e
                WHERE e.webhook_id = d.webhook_id AND e.aggregate_id = d.aggregate_id
                  AND e.status = 'pending' AND e.outbox_id < d.outbox_id)
            ORDER BY d.outbox_id LIMIT 50 FOR UPDATE SKIP LOCKED)
          RETURNING id, webhook_id, outbox_id, attempts)
        SELECT c.id, w.url, w.secret, c.outbox_id, c.attempts, o.type, o.aggregate_type, o.aggregate_id, o.payload, o.occurred_at
        FROM claimed c JOIN webhooks w ON w.id = c.webhook_id JOIN outbox o ON o.id = c.outbox_id
        ORDER BY c.outbox_id`.execute(this.database.db)
    ).rows;
    const results = await Promise.all(
      due.map(async (d) => {
        const body = JSON.stringify({
          id: String(d.outbox_id),
          type: d.type,
          aggregate_type: d.aggregate_type,
          aggregate_id: d.aggregate_id,
          occurred_at: d.occurred_at.toISOString(),
          data: d.payload,
        });
        return { d, error: await this.post(d.url, d.secret, body, d.type, String(d.outbox_id)) };
      }),
    );
    let delivered = 0;
    let failed = 0;
    for (const { d, error } of results) {
      const attempts = d.attempts + 1;
      if (error === null) {
        delivered++;
        await this.database.db
          .updateTable('webhook_deliveries')
          .set({ status: 'delivered', delivered_at: new Date(), attempts, last_error: null })
          .where('id', '=', d.id)
          .execute();
      } else {
        failed++;
        await this.database.db
          .updateTable('webhook_deliveries')
          .set({
            attempts,
            last_error: error.slice(0, 500),
            status: attempts >= MAX_ATTEMPTS ? 'dead' : 'pending',
            next_attempt_at: new Date(Date.now() + backoffSeconds(attempts) * 1000),
          })
          .where('id', '=', d.id)
          .execute();
      }
    }
    return { delivered, failed };
  }

  /** null when delivered (2xx); otherwise why not. A redirect is a failed delivery: it is not followed. */
  private post(url: string, secret: string, body: string, type: string, eventId: string): Promise<string | null> {
    const headers = { 'x-santong-event': type, 'x-santong-event-id': eventId };
    return deliverSigned(this.http, url, secret, body, headers, this.fetchTimeoutMs);
  }
}
