/**
 * The order store: writes planned orders (plan.ts), several in one statement or one alone.
 * The batching around it is group-commit.ts.
 */
import type { Database, Tx } from '../../platform/db/database';
import { insertFromJson } from '../../platform/db/json-rows';
import { stockOrder } from '../../platform/db/locks';
import { StatementParams } from '../../platform/db/statement';
import { transact, withRetry } from '../../platform/db/transaction';
import { outboxRow } from '../../platform/events/outbox';
import { keyRowsInsert } from '../../platform/idempotency/key-store';
import { fulfilmentInserts } from '../fulfilment/public';
import { reservingStatement, sellInStore, shortRows } from '../inventory/public';
import { earnOnPayment, lockCustomersAndCoupons } from './loyalty';
import type { PlannedOrder, StockUnit } from './plan';
import type { OrderDetail } from './view';

/** The stock went between routing and reserving: route again on fresh figures. */
export class RaceLost extends Error {
  constructor(readonly rows: { location: string; sku: string }[] = []) {
    super('stock went between routing and reserving');
  }
}

/** Per stock row, the units these online orders reserve, summed, in stockOrder. */
function reservedRows(orders: PlannedOrder[]): StockUnit[] {
  const rows = new Map<string, StockUnit>();
  for (const p of orders) {
    if (!p.online) continue;
    for (const u of p.units) {
      const key = `${u.location}\u0000${u.sku}`;
      const row = rows.get(key);
      if (row) row.qty += u.qty;
      else rows.set(key, { ...u });
    }
  }
  return [...rows.values()].sort(stockOrder);
}

/**
 * Writes these orders in ONE statement: their rows (one multi-row insert per table, fed by one
 * JSON parameter each), their events, the Idempotency-Keys of their requests with their answers,
 * and, for online orders, the reservation of their stock (inventory's reservingStatement: per
 * stock row the total of all the orders, and the reservation rows). Outside a transaction the
 * statement is its own transaction, so a batch costs one round trip and one commit. The inserts run first and the stock last, so a hot row
 * is locked only until the commit. When a row cannot cover its total the statement aborts,
 * nothing of it stays, and RaceLost names the rows.
 */
export async function writeOrders(target: Tx | Database, orders: PlannedOrder[]): Promise<void> {
  const params = new StatementParams();
  const ctes: string[] = [];
  const written: string[] = [];
  const cte = (name: string, insertSql: string) => {
    ctes.push(`${name} AS (${insertSql} RETURNING 1)`);
    written.push(`(SELECT count(*) FROM ${name})`);
  };
  const insert = (name: string, table: string, rows: object[], jsonb: string[] = []) => {
    if (rows.length) cte(name, insertFromJson(params, table, rows, jsonb));
  };
  const all = <T>(pick: (p: PlannedOrder) => T[]) => orders.flatMap(pick);
  insert(
    'new_orders',
    'orders',
    orders.map((p) => p.rows.order),
    ['pricing', 'routing'],
  );
  insert(
    'new_lines',
    'order_lines',
    all((p) => p.rows.lines),
  );
  // Fulfilment's own rows, by the statement parts it exports.
  for (const f of fulfilmentInserts(
    params,
    all((p) => p.rows.fulfilments),
    all((p) => p.rows.fulfilmentLines),
  ))
    cte(f.name, f.sql);
  insert('new_events', 'outbox', all((p) => p.rows.events).map(outboxRow), ['payload']);
  const keys = all((p) => (p.idempotencyKey ? [p.idempotencyKey] : []));
  if (keys.length) cte('new_keys', keyRowsInsert(params, keys));
  const stock = reservedRows(orders);
  const reserving = stock.length
    ? reservingStatement(
        params,
        stock,
        all((p) => p.rows.reservations),
      )
    : null;
  if (reserving) ctes.push(reserving.ctes);
  try {
    await params.runOn(
      target,
      `WITH ${ctes.join(',\n')} SELECT ${written.join(' + ')} AS written${reserving ? `, ${reserving.check} AS short` : ''}`,
    );
  } catch (err) {
    const short = shortRows(err);
    if (short) throw new RaceLost(short);
    throw err;
  }
}

/**
 * Writes one order by itself. Online without coupons, points or referral: one statement, its own
 * transaction. Otherwise in a transaction: the customer's person and coupons locked (lock order,
 * platform/db/locks.ts), the loyalty spend, a group-buy order's claim on its campaign, the statement, and for an in-store sale the points it
 * earns at once and the sale of its stock (last, in stockOrder, so hot rows are locked briefly
 * and never in a cycle). Both retry a deadlock. Throws RaceLost when the stock to reserve went.
 */
export async function writeOrderAlone(database: Database, p: PlannedOrder): Promise<OrderDetail> {
  if (p.online && !p.spends && !p.claim) {
    await withRetry(database, () => writeOrders(database, [p]));
    return p.detail;
  }
  return transact(database, async (tx) => {
    await lockCustomersAndCoupons(tx, [p.customerId], p.coupons); // ranks 2, 3 before the stock (platform/db/locks.ts)
    if (p.spends) await p.spend(tx);
    if (p.claim) await p.claim(tx);
    await writeOrders(tx, [p]);
    if (!p.online) {
      await earnOnPayment(
        tx,
        { id: p.id, customer_id: p.customerId, channel: p.detail.channel, total: p.detail.totals.total },
        p.now,
      );
      for (const u of p.units) await sellInStore(tx, u.location, u.sku, u.qty, p.id);
    }
    return p.detail;
  });
}
