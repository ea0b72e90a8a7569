import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import {
  allModules,
  groupBuyPageRoutes,
  moduleServices,
  shelfPageRoutes,
  startModuleWorkers,
  warmUpOrderPath,
  type ModuleServices,
} from './modules';
import { syncCategoryRollup } from './modules/segments/category-rollup';
import { WRAPPED_KEY_COLUMNS } from './modules/wrapped-keys';
import { ensureKey, generateSecret } from './platform/auth/keys';
import { createUser, generatePassword } from './platform/auth/users';
import { audit } from './platform/audit/audit';
import type { Config } from './platform/config';
import { unlockDatabase } from './platform/crypto/master-key';
import { openDatabase, type Database } from './platform/db/database';
import { Dispatcher } from './platform/events/dispatcher';
import { purgeIdempotencyKeysTask } from './platform/idempotency/idempotency';
import type { AppContext } from './platform/http/context';
import { buildServer } from './platform/http/server';
import { createLogger } from './platform/logging';
import { VERSION } from './platform/version';
import { setTransactionLog } from './platform/db/transaction';

export interface Santong {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  /** The admin key printed for the console in dev mode (null when not created here). */
  devAdminKey: string | null;
  /** Dev mode: the console account `admin` and its password, when this start created it (shown once). */
  devAdminUser: { username: string; password: string | null } | null;
  close(): Promise<void>;
}

export interface StartOptions {
  /** An already open database (tests); otherwise one is opened from the config. */
  database?: Database;
  logger?: Logger;
  /** Called before the server listens, after migrations: used to seed the demo retailer. */
  beforeListen?: (ctx: AppContext) => Promise<void>;
  startDispatcher?: boolean;
  /** Services to use instead of the modules' defaults, e.g. a retailer's own routing strategy. */
  services?: Partial<ModuleServices>;
}

/** Opens the database, checks the master key, migrates, ensures keys, builds the server and listens. */
export async function startSantong(config: Config, opts: StartOptions = {}): Promise<Santong> {
  const log = opts.logger ?? createLogger(config.logLevel);
  const database = opts.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  // The master key is checked before anything is written (migrations included, when it can be).
  const keys = await unlockDatabase(database, config, WRAPPED_KEY_COLUMNS).catch(async (e: unknown) => {
    if (!opts.database) await database.close();
    throw e;
  });
  const dispatcher = new Dispatcher(database, log, config.dispatcherIntervalMs, config.allowPrivateWebhooks);
  const services = { ...moduleServices(config), ...opts.services };
  setTransactionLog(database.db, log);
  const ctx: AppContext = {
    config,
    database,
    dispatcher,
    log,
    keys,
    version: VERSION,
    publicUrl: config.publicUrl ?? '',
    ...services,
  };
  dispatcher.addTask('purge-idempotency-keys', () => purgeIdempotencyKeysTask(database));
  startModuleWorkers(ctx);
  // a new database starts with the per-person category rollup built (segments/category-rollup.ts)
  await syncCategoryRollup(database.db);

  if (config.adminKey)
    await ensureKey(database.db, { name: 'SANTONG_ADMIN_KEY', role: 'admin', secret: config.adminKey });
  let devAdminKey: string | null = null;
  let devAdminUser: Santong['devAdminUser'] = null;
  if (config.dev && !config.adminKey) {
    // A console key for local use, kept beside the data so the same key works on every start.
    const file = path.join(path.dirname(config.dataDir), 'admin.key');
    devAdminKey = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : generateSecret();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, devAdminKey + '\n', { mode: 0o600 });
    await ensureKey(database.db, { name: 'dev console', role: 'admin', secret: devAdminKey });
    // A console account to sign in with; its random password is printed once, by the start that creates it.
    const password = generatePassword();
    const created = await database.db.transaction().execute(async (tx) => {
      const u = await createUser(tx, { username: 'admin', password, role: 'admin', displayName: 'Admin' });
      if (u) await audit(tx, null, { action: 'user.create', subject: u.id, details: { role: 'admin', via: 'dev' } });
      return u;
    });
    devAdminUser = { username: 'admin', password: created ? password : null };
  }
  if (opts.beforeListen) await opts.beforeListen(ctx);

  const app = await buildServer(ctx, allModules);
  await app.register(shelfPageRoutes(ctx));
  await app.register(groupBuyPageRoutes(ctx));
  if (config.warmUpRequests > 0) {
    const started = Date.now();
    const tally = await warmUpOrderPath(app, ctx, config.warmUpRequests);
    log.info({ ...tally, ms: Date.now() - started }, 'order path warmed up (dry runs, nothing written)');
  }
  const address = await app.listen({ port: config.port, host: config.host });
  const url = `http://localhost:${new URL(address).port}`;
  if (!config.publicUrl) ctx.publicUrl = `http://127.0.0.1:${new URL(address).port}`;
  if (opts.startDispatcher !== false) dispatcher.start();

  let closed = false;
  return {
    app,
    ctx,
    url,
    devAdminKey,
    devAdminUser,
    async close() {
      if (closed) return;
      closed = true;
      await dispatcher.stop();
      await app.close();
      if (!opts.database) await database.close();
    },
  };
}
