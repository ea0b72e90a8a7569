import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { KeyRing } from '../crypto/keys';
import type { Dispatcher } from '../events/dispatcher';

/** What every module's routes and services are given. */
export interface AppContext {
  config: Config;
  database: Database;
  dispatcher: Dispatcher;
  log: Logger;
  keys: KeyRing;
  version: string;
}
