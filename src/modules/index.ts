import { registerOwnerLookup } from '../platform/auth/policy';
import { apiKeyRoutes } from '../platform/auth/routes';
import { userRoutes } from '../platform/auth/user-routes';
import { webhookRoutes } from '../platform/events/routes';
import type { Config } from '../platform/config';
import type { AppContext } from '../platform/http/context';
import type { ModuleRoutes } from '../platform/http/types';
import { analyticsRoutes } from './analytics/routes';
import { customerAnalyticsRoutes } from './analytics/customer-routes';
import { analyticsHealthRoutes } from './analytics/health-routes';
import { audienceRoutes } from './audiences/routes';
import { catalogRoutes } from './catalog/routes';
import { clvRoutes } from './clv/routes';
import { forecastRoutes } from './forecasts/routes';
import { courierFromConfig } from './couriers/adapter';
import { courierRoutes } from './couriers/routes';
import { customerRoutes } from './customers/routes';
import { privacyRoutes } from './customers/privacy-routes';
import { eventRoutes } from './customers/events-routes';
import { verificationRoutes } from './customers/verification-routes';
import { fulfilmentRoutes } from './fulfilment/routes';
import { inventoryRoutes } from './inventory/routes';
import { storeStockRoutes } from './inventory/store-routes';
import { locationRoutes } from './locations/routes';
import { messagingRoutes } from './messaging/routes';
import { fulfilmentOwner } from './fulfilment/owner';
import { orderOwner } from './orders/owner';
import { locationExists } from './locations/service';
import { orderRoutes } from './orders/routes';
import { placeOrder } from './orders/place-order';
import { pointsRoutes } from './loyalty/points/routes';
import { tierRoutes } from './loyalty/tiers/routes';
import { referralRoutes } from './loyalty/referrals/routes';
import { couponRoutes } from './loyalty/coupons/routes';
import { pricingRoutes } from './pricing/routes';
import { segmentRoutes } from './segments/routes';
import { settlementRoutes } from './settlements/routes';
import { defaultStrategy } from './routing/policy';
import { walletRoutes } from './loyalty/wallet-routes';
import { offerRoutes } from './offers/routes';
import { journeyRoutes } from './journeys/routes';
import { reviewRoutes } from './reviews/routes';
import { transferRoutes } from './transfers/routes';
import { groupBuyRoutes } from './groupbuy/routes';
import { appointmentRoutes } from './appointments/routes';
import { presaleRoutes } from './presales/routes';
import { replenishmentRoutes } from './replenishment/routes';

export { startModuleWorkers } from './workers';
/** Public pages outside /v1 (the shelf-QR product page, a leader's group-buy share page), mounted at the root by the app. */
export { shelfPageRoutes } from './reviews/page-routes';
export { groupBuyPageRoutes } from './groupbuy/share-routes';
export { warmUpOrderPath } from './orders/warm-up';

// What the authorization policy needs to know about resources routes act on.
registerOwnerLookup('order', orderOwner);
registerOwnerLookup('fulfilment', fulfilmentOwner);
/** The services modules add to the context (see AppContext's declaration merging). */
export type ModuleServices = Pick<AppContext, 'courier' | 'locationExists' | 'routing' | 'placeOrder'>;

export function moduleServices(config: Config): ModuleServices {
  return { courier: courierFromConfig(config), locationExists, routing: defaultStrategy, placeOrder };
}

/** Every module's routes, mounted under /v1. */
export const allModules: ModuleRoutes[] = [
  apiKeyRoutes,
  userRoutes,
  webhookRoutes,
  locationRoutes,
  catalogRoutes,
  inventoryRoutes,
  storeStockRoutes,
  transferRoutes,
  replenishmentRoutes,
  customerRoutes,
  privacyRoutes,
  eventRoutes,
  verificationRoutes,
  orderRoutes,
  pointsRoutes,
  tierRoutes,
  referralRoutes,
  couponRoutes,
  pricingRoutes,
  walletRoutes,
  offerRoutes,
  fulfilmentRoutes,
  courierRoutes,
  analyticsRoutes,
  customerAnalyticsRoutes,
  analyticsHealthRoutes,
  audienceRoutes,
  clvRoutes,
  forecastRoutes,
  segmentRoutes,
  settlementRoutes,
  journeyRoutes,
  messagingRoutes,
  reviewRoutes,
  groupBuyRoutes,
  appointmentRoutes,
  presaleRoutes,
];
