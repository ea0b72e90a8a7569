import { apiKeyRoutes } from '../platform/auth/routes';
import { webhookRoutes } from '../platform/events/routes';
import type { ModuleRoutes } from '../platform/http/types';
import { analyticsRoutes } from './analytics/routes';
import { catalogRoutes } from './catalog/routes';
import { customerRoutes } from './customers/routes';
import { inventoryRoutes } from './inventory/routes';
import { locationRoutes } from './locations/routes';
import { orderRoutes } from './orders/routes';

/** Every module's routes, mounted under /v1. */
export const allModules: ModuleRoutes[] = [
  apiKeyRoutes,
  webhookRoutes,
  locationRoutes,
  catalogRoutes,
  inventoryRoutes,
  customerRoutes,
  orderRoutes,
  analyticsRoutes,
];
