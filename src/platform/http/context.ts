import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database, Queryable } from '../db/database';
import type { KeyRing } from '../crypto/keys';
import type { Dispatcher } from '../events/dispatcher';

/**
 * What every module's routes and services are given. Modules add the services they provide (e.g.
 * the courier adapter) by declaration merging, so the platform names no module.
 */
export interface AppContext {
  config: Config;
  database: Database;
  dispatcher: Dispatcher;
  log: Logger;
  keys: KeyRing;
  version: string;
  /** Does this location exist? API keys may be bound to one; the locations module answers. */
  locationExists(db: Queryable, id: string): Promise<boolean>;
  /** The URL others (e.g. couriers) use to reach this server; set once it listens. */
  publicUrl: string;
}
