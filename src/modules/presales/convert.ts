import type { Principal } from '../../platform/auth/roles';
import type { AppContext } from '../../platform/http/context';
import type { PaymentMethod } from '../orders/public';
import { claimForConversion, finishConversion, type ReservationView } from './service';

/**
 * Converts a held reservation, once the pre-sale has launched, into an in-store sale at its store
 * (the customer came in): the reserved units, the deposit coupon redeemed so the deposit is
 * deducted, the rest paid now. The order is placed by the orders module as any till sale
 * (ctx.placeOrder, declared in orders' public.ts); if it is refused (no stock, ...) the
 * reservation is held again and the refusal answered.
 */
export async function convertReservation(
  ctx: AppContext,
  principal: Principal,
  presaleId: string,
  id: string,
  paymentMethod: PaymentMethod,
  authorize: (locationId: string) => void,
): Promise<{ reservation: ReservationView; order_id: string; total: number }> {
  const db = ctx.database.db;
  const r = await claimForConversion(db, presaleId, id, authorize);
  let order;
  try {
    order = await ctx.placeOrder(ctx, principal, {
      channel: 'pos',
      customer: { id: r.customer_id },
      lines: [{ sku: r.sku, qty: r.qty }],
      fulfillment: { type: 'in_store', location_id: r.location_id },
      ...(r.coupon_code ? { coupon_codes: [r.coupon_code] } : {}),
      payment_method: paymentMethod,
    });
  } catch (e) {
    await finishConversion(db, id, null);
    throw e;
  }
  return { reservation: await finishConversion(db, id, order.id), order_id: order.id, total: order.totals.total };
}
