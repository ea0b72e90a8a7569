import type { AppContext } from '../platform/http/context';
import { sendCourierJobs } from './couriers/worker';
import { evaluateLowStock } from './inventory/low-stock';
import { expireDue } from './orders/lifecycle';
import { cancelNoShows } from './groupbuy/pickups';
import { shipDueCampaigns } from './groupbuy/shipments';
import { expirePointsTask } from './loyalty/points/expire';
import { evaluateTiersTask } from './loyalty/tiers/evaluate';
import { expireCouponsTask } from './loyalty/coupons/expiry';
import { purgeVerificationsTask } from './customers/verification';
import { searchKeysBackfillTask } from './customers/search-keys';
import { nightlyTask } from '../platform/nightly';
import { nightlyRfm } from './audiences/rfm-nightly';
import { nightlyClv } from './clv/nightly';
import { nightlyForecast } from './forecasts/nightly';
import { segmentUpkeepTask } from './segments/membership';
import { applyOrderEvents, pruneAppliedEvents, ROLLUP_EVENTS } from './analytics/rollup';
import { applySettlementEvents, pruneSettlementEvents, SETTLEMENT_EVENTS } from './settlements/service';
import { applyCouponEvents, COUPON_ROLLUP_EVENTS, pruneCouponEvents } from './analytics/coupon-rollup';
import { nightlyStockSnapshot } from './analytics/inventory';
import { journeyTask } from './journeys/runner';
import { sendDueMessages } from './messaging/sender';
import { applyFulfilmentEvents, FULFILMENT_TIMING_EVENTS } from './analytics/fulfilment-rollup';
import { PRESALE_CUSTOMER_EVENTS, recordPresaleCustomerEvents } from './presales/customer-events';
import { launchDue } from './presales/service';

/** Events whose payload lists the SKUs whose stock they changed. */
const STOCK_EVENTS = [
  'order.placed',
  'order.cancelled',
  'order.expired',
  'order.returned',
  'stock.moved',
  'stock.counted',
  'stock.discrepancy',
];

/** Subscribers and periodic jobs of the modules, run by the dispatcher in every process. */
export function startModuleWorkers(ctx: AppContext): void {
  // Low stock depends on the stock now, not on each event: every SKU is re-evaluated once per dispatched batch.
  ctx.dispatcher.subscribeBatch(STOCK_EVENTS, async (events, tx) => {
    const skus = new Set<string>();
    for (const e of events) if (Array.isArray(e.payload.skus)) for (const sku of e.payload.skus) skus.add(String(sku));
    await evaluateLowStock(tx, [...skus].sort());
  });
  // Sales rollups follow the orders' events (analytics/rollup.ts: lag one dispatcher tick).
  if (ctx.config.analyticsRollups)
    ctx.dispatcher.subscribeBatch(ROLLUP_EVENTS, (events, tx) => applyOrderEvents(tx, ctx.config.timezone, events));
  // Stores' fulfilment timings follow their orders' payments and fulfilment steps (analytics/fulfilment-rollup.ts).
  if (ctx.config.analyticsRollups)
    ctx.dispatcher.subscribeBatch(FULFILMENT_TIMING_EVENTS, (events, tx) =>
      applyFulfilmentEvents(tx, ctx.config.timezone, events),
    );
  ctx.dispatcher.addTask('prune-analytics-events', () => pruneAppliedEvents(ctx.database.db));
  // Stores' revenue-share credits and reversals follow completions and returns (settlements/service.ts).
  ctx.dispatcher.subscribeBatch(SETTLEMENT_EVENTS, (events, tx) =>
    applySettlementEvents(tx, ctx.config.timezone, events),
  );
  ctx.dispatcher.addTask('prune-settlement-events', () => pruneSettlementEvents(ctx.database.db));
  // Coupon ROI (analytics/coupon-rollup.ts): coupons issued and redeemed at a till; the orders' side comes through rollup.ts.
  ctx.dispatcher.subscribeBatch(COUPON_ROLLUP_EVENTS, (events, tx) =>
    applyCouponEvents(tx, ctx.config.timezone, events),
  );
  ctx.dispatcher.addTask('prune-coupon-analytics-events', () => pruneCouponEvents(ctx.database.db));
  ctx.dispatcher.addTask('expire-reservations', () => expireDue(ctx));
  // Group-buy: ship campaigns at their cutoff, cancel orders not collected N days after their pickup day.
  ctx.dispatcher.addTask('group-buy-cutoffs', () => shipDueCampaigns(ctx));
  ctx.dispatcher.addTask('group-buy-no-shows', () => cancelNoShows(ctx));
  // Pre-sales: launch at launch_at without anyone pressing the button; reservations and launches
  // become the people's behaviour events, which journeys' event triggers read.
  ctx.dispatcher.addTask('presale-launches', () => launchDue(ctx.database.db));
  ctx.dispatcher.subscribeBatch(PRESALE_CUSTOMER_EVENTS, recordPresaleCustomerEvents);
  ctx.dispatcher.addTask('courier-jobs', () => sendCourierJobs(ctx, ctx.publicUrl));
  ctx.dispatcher.addTask('expire-points', expirePointsTask(ctx));
  ctx.dispatcher.addTask('evaluate-tiers', evaluateTiersTask(ctx));
  ctx.dispatcher.addTask('expire-coupons', () => expireCouponsTask(ctx.database.db));
  ctx.dispatcher.addTask('purge-verifications', () => purgeVerificationsTask(ctx.database));
  // Customers from before the search keys (migration 2300) get theirs, 1000 per tick, once per database.
  ctx.dispatcher.addTask('search-keys-backfill', searchKeysBackfillTask(ctx.database, ctx.keys, ctx.log));
  if (ctx.config.nightlyRuns) {
    // Each checks once a minute per process whether its run is due today and claims it (platform/nightly.ts).
    ctx.dispatcher.addTask(
      'nightly-rfm',
      nightlyTask((now) => nightlyRfm(ctx, now)),
    );
    ctx.dispatcher.addTask(
      'nightly-clv',
      nightlyTask((now) => nightlyClv(ctx, now)),
    );
    ctx.dispatcher.addTask(
      'nightly-forecast',
      nightlyTask((now) => nightlyForecast(ctx, now)),
    );
    ctx.dispatcher.addTask(
      'nightly-stock-snapshot',
      nightlyTask((now) => nightlyStockSnapshot(ctx, now)),
    );
  }
  // Journeys (journeys/runner.ts): trigger intake and due steps, claimed FOR UPDATE SKIP LOCKED by any process.
  ctx.dispatcher.addTask(
    'journeys',
    journeyTask(
      {
        db: ctx.database,
        keys: ctx.keys,
        log: ctx.log,
        timezone: ctx.config.timezone,
        scanMs: ctx.config.journeyScanSeconds * 1000,
        batch: ctx.config.journeyBatch,
      },
      ctx.config.journeyTickMs,
    ),
  );
  // Marketing messages (journeys): claimed with SKIP LOCKED, so every process's sender shares the work.
  ctx.dispatcher.addTask('send-messages', () =>
    sendDueMessages({
      database: ctx.database,
      keys: ctx.keys,
      log: ctx.log,
      http: ctx.dispatcher.http,
      retrySeconds: ctx.config.messageRetrySeconds,
    }),
  );
  ctx.dispatcher.addTask(
    'segment-upkeep',
    segmentUpkeepTask(ctx.database.db, ctx.log, ctx.config.segmentRefreshSeconds, ctx.config.segmentFullSeconds),
  );
}
