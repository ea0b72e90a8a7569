import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { KeyRing } from '../crypto/keys';
import type { CourierAdapter } from '../../modules/couriers/adapter';
import type { Dispatcher } from '../events/dispatcher';

/** What every module's routes and services are given. */
export interface AppContext {
  config: Config;
  database: Database;
  dispatcher: Dispatcher;
  log: Logger;
  keys: KeyRing;
  version: string;
  /** The courier platform adapter for hour and same-day deliveries, when one is configured. */
  courier: CourierAdapter | null;
  /** The URL others (couriers) use to reach this server; set once it listens. */
  publicUrl: string;
}
