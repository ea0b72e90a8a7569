import { coalescingPerHandle } from '../../platform/db/coalesce';
import { StatementParams } from '../../platform/db/statement';
import type { Database } from '../../platform/db/database';
import { availabilityFromJson, availabilityJson } from '../inventory/public';
import { productsFromJson, productsJson, type ProductInfo } from '../catalog/public';

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
export const checkoutReads = coalescingPerHandle(async (database: Database, skus: string[]): Promise<CheckoutReads> => {
  const params = new StatementParams();
  const [row] = await params.runPrepared<{
    products: Parameters<typeof productsFromJson>[0];
    stock: Parameters<typeof availabilityFromJson>[0];
  }>(database, `SELECT ${productsJson(params, skus)} AS products, ${availabilityJson(params, skus)} AS stock`);
  return { products: productsFromJson(row.products), stock: availabilityFromJson(row.stock) };
});
