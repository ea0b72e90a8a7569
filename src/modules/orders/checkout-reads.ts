import type { Kysely } from 'kysely';
import { coalescingPerHandle } from '../../platform/db/coalesce';
import { StatementParams } from '../../platform/db/statement';
import type { DB } from '../../platform/db/schema';
import { availabilityFromJson, availabilityJson } from '../inventory/service';
import { productsFromJson, productsJson, type ProductInfo } from '../pricing/quote';

export interface CheckoutReads {
  /** The catalogue rows (not yet checked for the channel). */
  products: Map<string, ProductInfo>;
  /** Online-available units keyed `location|sku`. */
  stock: Map<string, number>;
}

/**
 * What placing an order reads before it prices and routes: the SKUs' catalogue rows and their
 * online availability everywhere, in ONE statement, shared by the orders that arrive together
 * (see coalescing). The maps may hold other orders' SKUs too.
 */
export const checkoutReads = coalescingPerHandle(async (db: Kysely<DB>, skus: string[]): Promise<CheckoutReads> => {
  const params = new StatementParams();
  const r = await params.run<{ products: Parameters<typeof productsFromJson>[0]; stock: Parameters<typeof availabilityFromJson>[0] }>(
    db,
    `SELECT ${productsJson(params, skus)} AS products, ${availabilityJson(params, skus)} AS stock`,
  );
  return { products: productsFromJson(r.rows[0].products), stock: availabilityFromJson(r.rows[0].stock) };
});
