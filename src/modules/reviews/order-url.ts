import type { Principal } from '../../platform/auth/roles';
import { audit } from '../../platform/audit/audit';
import type { Queryable, Tx } from '../../platform/db/database';
import { unprocessable } from '../../platform/http/errors';
import { getSetting, putSetting } from '../../platform/settings';

/**
 * Where the shelf-QR page's "deliver to me" and "reserve for pickup" lead: the retailer's shop or
 * mini-program page, a URL template with {sku}, {store} and {fulfillment} (delivery | pickup).
 */
const SETTING = 'reviews.order_url';
const DEFAULT_ORDER_URL = '/shop?sku={sku}&store={store}&fulfillment={fulfillment}';

interface ShelfPageSettings {
  order_url: string;
  /** true: no URL was set, the default above is used. */
  is_default: boolean;
}

export async function getShelfPageSettings(db: Queryable): Promise<ShelfPageSettings> {
  const set = await getSetting<string>(db, SETTING);
  return { order_url: set ?? DEFAULT_ORDER_URL, is_default: set === undefined };
}

/** A path on this site or an http(s) address; no spaces, quotes or angle brackets (it goes into a link). */
const URL_TEMPLATE = /^(\/(?!\/)|https?:\/\/[^/\s]+)[^\s"'<>`]*$/;

/**
 * Sets the order URL template (admin), audited; null goes back to the default. It must name the
 * product ({sku}): a link that does not would lose what the customer scanned.
 */
export async function setShelfPageSettings(
  tx: Tx,
  actor: Principal | null,
  orderUrl: string | null,
): Promise<ShelfPageSettings> {
  if (orderUrl !== null) {
    if (!URL_TEMPLATE.test(orderUrl))
      throw unprocessable(
        'invalid_order_url',
        'order_url must be a path on this site (/shop?...) or an http(s) address, without spaces or quotes',
        'order_url',
      );
    if (!orderUrl.includes('{sku}'))
      throw unprocessable('invalid_order_url', 'order_url must contain {sku}, the product scanned', 'order_url');
  }
  const before = await getShelfPageSettings(tx);
  if (orderUrl === null) await tx.deleteFrom('settings').where('key', '=', SETTING).execute();
  else await putSetting(tx, SETTING, orderUrl);
  const after = await getShelfPageSettings(tx);
  await audit(tx, actor, { action: 'settings.shelf_page', subject: SETTING, details: { before, after } });
  return after;
}
