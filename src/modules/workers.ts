import type { AppContext } from '../platform/http/context';
import { sendCourierJobs } from './couriers/worker';
import { evaluateLowStock } from './inventory/low-stock';
import { expireDue } from './orders/lifecycle';
import { expirePointsTask } from './loyalty/points/expire';
import { evaluateTiersTask } from './loyalty/tiers/evaluate';
import { expireCouponsTask } from './loyalty/coupons/expiry';

/** Events whose payload lists the SKUs whose stock they changed. */
const STOCK_EVENTS = ['order.placed', 'order.cancelled', 'order.expired', 'order.returned', 'stock.moved', 'stock.counted', 'stock.discrepancy'];

/** Subscribers and periodic jobs of the modules, run by the dispatcher in every process. */
export function startModuleWorkers(ctx: AppContext): void {
  for (const type of STOCK_EVENTS) {
    ctx.dispatcher.subscribe(type, async (event, tx) => {
      const skus = event.payload.skus;
      if (Array.isArray(skus)) await evaluateLowStock(tx, [...new Set(skus.map(String))]);
    });
  }
  ctx.dispatcher.addTask('expire-reservations', () => expireDue(ctx));
  ctx.dispatcher.addTask('courier-jobs', () => sendCourierJobs(ctx, ctx.publicUrl));
  ctx.dispatcher.addTask('expire-points', expirePointsTask(ctx));
  ctx.dispatcher.addTask('evaluate-tiers', evaluateTiersTask(ctx));
  ctx.dispatcher.addTask('expire-coupons', () => expireCouponsTask(ctx.database.db));
}
