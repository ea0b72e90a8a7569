import { sql } from 'kysely';
import type { Database } from '../platform/db/database';
import { cancelReservation, createPresale, payDeposit, reserve } from '../modules/presales/service';

const DAY_MS = 86_400_000;
/** Reservations of the demo's pre-sale: a few per store, bounded whatever the number of customers. */
const RESERVATIONS = 36;

/**
 * The demo retailer's pre-sale (新品预约): its dearest appliance launches in two weeks with a ¥50
 * deposit; a few dozen members reserved it at the stores (a third in the mini-program), most of
 * them paid the deposit (the rest still owe it) and one cancelled, refunded, so the console shows
 * demand per store and each store's invite list.
 */
export async function seedDemoPresale(database: Database): Promise<void> {
  const db = database.db;
  const product = await sql<{ sku: string; name: string }>`
    SELECT sku, name FROM products WHERE category = 'appliances' ORDER BY list_price DESC, sku LIMIT 1`.execute(db);
  const stores = await sql<{ id: string }>`SELECT id FROM locations WHERE type = 'store' ORDER BY id`.execute(db);
  const p = product.rows[0];
  if (!p || stores.rows.length === 0) return;
  const people = await sql<{ id: string }>`
    SELECT id FROM customers WHERE root_id IS NULL AND erased_at IS NULL ORDER BY id LIMIT ${RESERVATIONS}`.execute(db);
  const presale = await createPresale(db, {
    sku: p.sku,
    title: `${p.name} 新品预约`.slice(0, 200),
    launch_at: new Date(Date.now() + 14 * DAY_MS).toISOString(),
    deposit: 5000,
    per_customer_limit: 2,
  });
  for (const [i, c] of people.rows.entries()) {
    // the first stores get more reservations, as a flagship would
    const store = stores.rows[Math.floor((i * i) / RESERVATIONS) % stores.rows.length]!;
    const r = await reserve(db, presale.id, {
      customerId: c.id,
      locationId: store.id,
      qty: i % 5 === 0 ? 2 : 1,
      channel: i % 3 === 0 ? 'mini_program' : 'pos',
    });
    if (i % 6 !== 5)
      await payDeposit(db, presale.id, r.reservation.id, {
        payment_ref: `demo-deposit-${i}`,
        payment_method: 'wechat_pay',
      });
    if (i === 1) await cancelReservation(db, presale.id, r.reservation.id, '顾客改变主意');
  }
}
