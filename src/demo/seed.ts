import { sql } from 'kysely';
import type { Database } from '../platform/db/database';
import type { KeyRing } from '../platform/crypto/keys';
import { getSetting, putSetting } from '../platform/settings';
import {
  demoProducts,
  demoStock,
  LOCATION_COLUMNS,
  locationsCsv,
  PRODUCT_COLUMNS,
  productsCsv,
  STOCK_COLUMNS,
  stockCsv,
} from './catalog';
import { CONSENT_COLUMNS } from './consents';
import { settleDemoStock } from './stock';
import { DEFAULT_WINDOW_DAYS, runRfmNow } from '../modules/audiences/rfm-service';
import { rebuildSalesRollups } from '../modules/analytics/rollup';
import { bookHistory } from '../modules/settlements/service';
import { backfillStockSnapshots } from '../modules/analytics/inventory';
import { backfillSearchKeys } from '../modules/customers/search-keys';
import { DEFAULT_HORIZON_DAYS, localDay, runClvNow } from '../modules/clv/runs';
import { seedDemoForecasts } from './forecasts';
import { seedDemoTransfers } from './transfers';
import { ClvDataError } from '../modules/clv/fit';
import { currentTimezone } from '../modules/loyalty/points/expiry-date';
import { DemoCoupons } from './coupons';
import { DemoLoyalty } from './loyalty';
import { seedDemoSegments } from './segments';
import { seedDemoJourney } from './journeys';
import { seedDemoGroupBuy } from './group-buy';
import { seedDemoPresale } from './presales';
import { seedDemoAppointments } from './appointments';
import { seedDemoReviews } from './reviews';
import {
  CUSTOMER_COLUMNS,
  EVENT_COLUMNS,
  FULFILMENT_COLUMNS,
  FULFILMENT_EVENT_COLUMNS,
  FULFILMENT_LINE_COLUMNS,
  HistoryGenerator,
  IDENTIFIER_COLUMNS,
  LINE_COLUMNS,
  ORDER_COLUMNS,
} from './history';

export interface SeedOptions {
  customers: number;
  months: number;
  seed: number;
  /** The moment the history ends (default: now), so the dashboard shows today's trade. */
  anchor?: Date;
  eventsPerCustomer?: number;
  chunkSize?: number;
  /** The retailer's time zone, for the sales rollups' days (default SANTONG_TIMEZONE or Asia/Shanghai). */
  timezone?: string;
}

export type Progress = (done: number, total: number, phase: string) => void;

export interface SeedResult {
  customers: number;
  orders: number;
  lines: number;
  events: number;
  ms: number;
}

export const DEMO_DEFAULTS: SeedOptions = { customers: 20000, months: 6, seed: 42, eventsPerCustomer: 6 };
/** Our generator writes consistent rows, so foreign-key checks are skipped while loading them. */
const TRUSTED = { trusted: true };

/** True once a demo retailer has been loaded into this database. */
export async function isSeeded(database: Database): Promise<boolean> {
  return (await getSetting(database.db, 'demo_seed')) !== undefined;
}

/**
 * Loads the demo retailer with bulk COPY in chunks of customers, so memory stays flat whether
 * it is 20,000 customers on PGlite or 1,000,000 on PostgreSQL. Each chunk's coupons and points
 * are made from its orders while they are in memory, never read back from the database.
 */
export async function seedDemo(
  database: Database,
  keys: KeyRing,
  opts: SeedOptions,
  progress: Progress = () => {},
): Promise<SeedResult> {
  const started = Date.now();
  const anchor = opts.anchor ?? new Date();
  const products = demoProducts(opts.seed);
  await database.copyCsv('locations', LOCATION_COLUMNS, locationsCsv(), TRUSTED);
  await database.copyCsv('products', PRODUCT_COLUMNS, productsCsv(products), TRUSTED);
  // The range as generated; the figures on hand follow the sales once the history is in (settleDemoStock).
  await database.copyCsv('stock', STOCK_COLUMNS, stockCsv(demoStock(opts.seed, products)), TRUSTED);
  const gen = new HistoryGenerator(
    { seed: opts.seed, anchor, months: opts.months, products, eventsPerCustomer: opts.eventsPerCustomer ?? 8 },
    keys,
  );
  const chunkSize = opts.chunkSize ?? 2000;
  const totals = { customers: 0, orders: 0, lines: 0, events: 0 };
  const coupons = new DemoCoupons({ seed: opts.seed, anchor, months: opts.months, products });
  await coupons.createTemplates(database);
  const loyalty = await DemoLoyalty.open(database, { seed: opts.seed, anchor });
  progress(0, opts.customers, 'customers and history');
  for (let from = 0; from < opts.customers; from += chunkSize) {
    const to = Math.min(opts.customers, from + chunkSize);
    const c = gen.chunk(from, to);
    await database.copyCsv('customers', CUSTOMER_COLUMNS, c.customers, TRUSTED);
    await database.copyCsv('customer_identifiers', IDENTIFIER_COLUMNS, c.identifiers, TRUSTED);
    await database.copyCsv('orders', ORDER_COLUMNS, c.orders, TRUSTED);
    await database.copyCsv('order_lines', LINE_COLUMNS, c.lines, TRUSTED);
    await database.copyCsv('fulfillments', FULFILMENT_COLUMNS, c.fulfilments, TRUSTED);
    await database.copyCsv('fulfillment_lines', FULFILMENT_LINE_COLUMNS, c.fulfilmentLines, TRUSTED);
    if (c.fulfilmentEvents)
      await database.copyCsv('fulfillment_events', FULFILMENT_EVENT_COLUMNS, c.fulfilmentEvents, TRUSTED);
    if (c.events) await database.copyCsv('customer_events', EVENT_COLUMNS, c.events, TRUSTED);
    if (c.consents) await database.copyCsv('customer_consents', CONSENT_COLUMNS, c.consents, TRUSTED);
    await coupons.load(database, c.people);
    await loyalty.load(database, c.people);
    totals.customers += c.counts.customers;
    totals.orders += c.counts.orders;
    totals.lines += c.counts.lines;
    totals.events += c.counts.events;
    progress(to, opts.customers, 'customers and history');
    // Let the event loop breathe between chunks (PGlite runs on this thread).
    await new Promise((r) => setImmediate(r));
  }
  await coupons.finish(database);
  await loyalty.finish(database);
  // Stock on hand from the sales, and the movements (opening count, weekly receipts, every sale) behind it.
  const timezone = opts.timezone ?? currentTimezone();
  const start = new Date(anchor);
  start.setUTCMonth(start.getUTCMonth() - opts.months);
  start.setUTCDate(start.getUTCDate() - 1);
  await settleDemoStock(database, start, timezone);
  await sql`ANALYZE`.execute(database.db);
  // The console's RFM page has a finished run over the last year of the demo's history.
  await runRfmNow(database, { asOf: anchor, windowDays: DEFAULT_WINDOW_DAYS });
  // …and profiles show lifetime value and churn risk: a CLV run calibrated on the whole history.
  await runClvNow(database, {
    calibrationEnd: localDay(anchor, timezone),
    horizonDays: DEFAULT_HORIZON_DAYS,
    timezone,
  }).catch((err: unknown) => {
    // a demo too small for anyone to have bought twice: the run is recorded as failed, the demo stands
    if (!(err instanceof ClvDataError)) throw err;
  });
  // The supply pages' forecasts: the events calendar and a forecast run on the history.
  await seedDemoForecasts(database, localDay(anchor, timezone), timezone);
  // Transfers between the DC and the stores in each state (the 补货调拨 page's list).
  await seedDemoTransfers(database);
  // Saved segments and the preset computed tags, evaluated (the console's 营销 page).
  await seedDemoSegments(database);
  // An active win-back journey (its first scan runs once the server ticks).
  await seedDemoJourney(database);
  // Group-buy leaders and a campaign running now.
  await seedDemoGroupBuy(database, anchor);
  // A pre-sale with reservations at the stores (新品预约).
  await seedDemoPresale(database);
  // Store services with appointments around today, and five weeks of hourly footfall.
  await seedDemoAppointments(database, anchor, timezone);
  // Buyers' reviews of the popular products (most published, a few waiting for moderation).
  await seedDemoReviews(database);
  // The dashboard's sales rollups, from the history just loaded.
  await rebuildSalesRollups(database, timezone);
  // The stores' revenue-share credits for the history's completed pickups and store deliveries.
  await bookHistory(database, timezone);
  // Inventory health's daily stock snapshots: five weeks back from the stock now and the sales since.
  await backfillStockSnapshots(database, localDay(anchor, timezone), 35);
  // Search by phone tail and name (customers/search-keys.ts): the customers were loaded by COPY.
  await backfillSearchKeys(database, keys);
  const result = { ...totals, ms: Date.now() - started };
  await putSetting(database.db, 'demo_seed', { ...opts, anchor: anchor.toISOString(), ...totals });
  return result;
}
