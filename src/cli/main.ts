import { parseArgs } from 'node:util';
import { createKey } from '../platform/auth/keys';
import { createUser, generatePassword, MIN_PASSWORD_LENGTH, USER_ROLES, type UserRole } from '../platform/auth/users';
import { audit } from '../platform/audit/audit';
import { CHANNELS, ROLES, type Channel, type Role } from '../platform/auth/roles';
import { loadConfig } from '../platform/config';
import { MasterKeyError } from '../platform/crypto/keys';
import { AppError } from '../platform/http/errors';
import { unlockDatabase } from '../platform/crypto/master-key';
import { openDatabase } from '../platform/db/database';
import { migrate } from '../platform/db/migrate';
import { startSantong } from '../app';
import { DEMO_DEFAULTS, isSeeded, seedDemo } from '../demo/seed';
import { progressBar } from './progress';
import { ImportFileError, ImportUsageError, parseMaps } from '../modules/imports/csv';
import { importCustomers } from '../modules/imports/customers';
import { importOrders } from '../modules/imports/orders';
import { WRAPPED_KEY_COLUMNS } from '../modules/wrapped-keys';
import { rotateMasterCommand } from './rotate-master';
import { clvFitCommand } from './clv';
import { forecastBacktestCommand } from './forecast';
import { rebuildSalesRollups } from '../modules/analytics/rollup';
import { rebuildCategoryRollup } from '../modules/segments/category-rollup';
import { closePeriod, isPeriod, statement } from '../modules/settlements/service';

const USAGE = `santong <command>

  start                         run the server (embedded Postgres unless DATABASE_URL is set)
  migrate                       apply database migrations
  seed --demo [--customers N] [--months M] [--seed S] [--events E]
                                load the demo retailer
  keys create --role R --name NAME [--location ID] [--channel C]
                                create an API key and print it
  users create --username U --role R [--location ID] [--display-name NAME] [--password-stdin]
                                create a staff account for the console; without --password-stdin a
                                password is generated and printed once
  keys rotate-master [--new-key HEX] [--batch N]
                                re-wrap every data key under a new master key (or
                                SANTONG_NEW_MASTER_KEY); the current one comes from
                                SANTONG_MASTER_KEY or the key file. Stop servers first;
                                if interrupted, run it again
  import customers FILE.csv[.gz] [--map column=field ...] [--channel C] [--report FILE]
                                customers through One ID: columns phone, email, member_card,
                                pos_card, wechat_unionid, wechat_openid, device_id, external,
                                name, gender, birthday, city (any subset; --map renames, e.g.
                                --map Mobile=phone); re-running creates no duplicates
  import orders FILE.csv[.gz] [--map column=field ...] [--channel C] [--report FILE]
                [--strict] [--money fen|yuan] [--timezone TZ] [--window N]
                                order history, one line per row: order_id, placed_at, sku, qty,
                                amount or unit_price (fen; --money yuan for 12.90), channel,
                                location_id, product_name, cost_price (unit cost, set on products
                                without one), customer_<type> (e.g. customer_phone);
                                unknown SKUs become products in category imported (--strict:
                                rejected); orders already imported are skipped
  import options: --report FILE writes every rejected row as "row N: field: reason";
                  --encoding gb18030 for Excel files saved in Chinese; --concurrency N
  analytics rebuild             recompute the sales rollups (dashboard figures) from every order and
                                return; run after a change of SANTONG_TIMEZONE (imports run it)
  segments rebuild-rollup       recount every person's purchases per category (what computed tags
                                such as 母婴人群 read) from every sale; needed once on a database
                                with orders from before it (the upkeep task builds it otherwise)
  settle --period YYYY-MM [--early]
                                close a month's settlement statement (stores' revenue share): it
                                never changes again; --early for a month that has not ended
  clv fit --transactions FILE.csv --customer-col C --date-col D --amount-col A
          --calibration-end YYYY-MM-DD [--time-unit week|day] [--predict N --out FILE.csv]
                                lifetime value: fits BG/NBD and Gamma-Gamma on the purchases up to
                                the calibration end (inclusive) and prints their parameters as JSON;
                                --out writes per customer p_alive and the purchases and value
                                expected in the next N time units. Needs no database
`;

function fail(message: string): never {
  process.stderr.write(`santong: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function intOpt(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer`);
  return n;
}

async function clvCommand([sub, ...args]: string[]): Promise<void> {
  if (sub !== 'fit') fail('clv supports: fit');
  try {
    await clvFitCommand(args);
  } catch (e) {
    if (e instanceof ImportUsageError) fail(e.message);
    if (!(e instanceof ImportFileError)) throw e;
    process.stderr.write(`santong: clv fit: ${e.message}\n`);
    process.exitCode = 1;
  }
}

async function forecastCommand([sub, ...args]: string[]): Promise<void> {
  if (sub !== 'backtest') fail('forecast supports: backtest');
  try {
    await forecastBacktestCommand(args);
  } catch (e) {
    if (e instanceof ImportUsageError) fail(e.message);
    if (!(e instanceof ImportFileError)) throw e;
    process.stderr.write(`santong: forecast backtest: ${e.message}\n`);
    process.exitCode = 1;
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  // Pure computation on a file: no configuration, database or key.
  if (command === 'clv') return clvCommand(rest);
  if (command === 'forecast') return forecastCommand(rest);
  const config = loadConfig();
  switch (command) {
    case 'start': {
      const started = Date.now();
      const santong = await startSantong(config, {
        async beforeListen(ctx) {
          if (!config.demo || (await isSeeded(ctx.database))) return;
          const bar = progressBar('Seeding the demo retailer');
          const r = await seedDemo(ctx.database, ctx.keys, { ...DEMO_DEFAULTS, timezone: config.timezone }, bar.update);
          bar.stop();
          process.stdout.write(
            `Demo retailer loaded: ${r.customers} customers, ${r.orders} orders, ${r.events} events in ${(r.ms / 1000).toFixed(1)} s\n`,
          );
        },
      });
      process.stdout.write(
        `\nSantong ${santong.ctx.version} is running on ${santong.ctx.database.kind} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
      );
      process.stdout.write(
        `  console  ${santong.url}/\n  API      ${santong.url}/v1\n  docs     ${santong.url}/docs\n`,
      );
      if (santong.devAdminKey) process.stdout.write(`  admin API key (dev mode): ${santong.devAdminKey}\n`);
      if (santong.devAdminUser)
        process.stdout.write(
          santong.devAdminUser.password
            ? `  console sign-in (dev mode): ${santong.devAdminUser.username} / ${santong.devAdminUser.password}   (shown once)\n`
            : `  console sign-in (dev mode): ${santong.devAdminUser.username} (password shown at the first start; an admin resets it in Settings)\n`,
        );
      const shutdown = async (signal: string) => {
        santong.ctx.log.info({ signal }, 'shutting down');
        await santong.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      return;
    }
    case 'migrate': {
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      const applied = await migrate(database);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      await database.close();
      return;
    }
    case 'seed': {
      const { values } = parseArgs({
        args: rest,
        options: {
          demo: { type: 'boolean' },
          customers: { type: 'string' },
          months: { type: 'string' },
          seed: { type: 'string' },
          events: { type: 'string' },
        },
      });
      if (!values.demo) fail('seed needs --demo');
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 4 });
      const keys = await unlockDatabase(database, config, WRAPPED_KEY_COLUMNS);
      if (await isSeeded(database)) fail('this database already holds a demo retailer');
      const bar = progressBar('Seeding');
      const r = await seedDemo(
        database,
        keys,
        {
          customers: intOpt(values.customers, 'customers', DEMO_DEFAULTS.customers),
          months: intOpt(values.months, 'months', DEMO_DEFAULTS.months),
          seed: intOpt(values.seed, 'seed', DEMO_DEFAULTS.seed),
          eventsPerCustomer: intOpt(values.events, 'events', DEMO_DEFAULTS.eventsPerCustomer ?? 8),
          chunkSize: 5000,
          timezone: config.timezone,
        },
        bar.update,
      );
      bar.stop();
      process.stdout.write(
        `seeded ${r.customers} customers, ${r.orders} orders, ${r.lines} lines, ${r.events} events in ${(r.ms / 1000).toFixed(1)} s\n`,
      );
      await database.close();
      return;
    }
    case 'analytics': {
      const [sub] = rest;
      if (sub !== 'rebuild') fail('analytics supports: rebuild');
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        await migrate(database);
        const r = await rebuildSalesRollups(database, config.timezone);
        process.stdout.write(
          `sales rollups rebuilt in ${(r.ms / 1000).toFixed(1)} s: ${r.sales_rows} daily rows, ${r.sku_rows} SKU rows, ${r.buyer_rows} buyer rows, ${r.sku_day_rows} SKU-day rows, ${r.buyer_day_rows} buyer-slice rows, ${r.fulfilment_timing_rows} fulfilment timing rows (${config.timezone})\n`,
        );
      } finally {
        await database.close();
      }
      return;
    }
    case 'segments': {
      const [sub] = rest;
      if (sub !== 'rebuild-rollup') fail('segments supports: rebuild-rollup');
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        await migrate(database);
        const r = await rebuildCategoryRollup(database.db);
        process.stdout.write(`category rollup rebuilt in ${(r.ms / 1000).toFixed(1)} s: ${r.rows} rows\n`);
      } finally {
        await database.close();
      }
      return;
    }
    case 'settle': {
      const { values } = parseArgs({
        args: rest,
        options: { period: { type: 'string' }, early: { type: 'boolean' } },
      });
      if (!values.period || !isPeriod(values.period)) fail('settle needs --period YYYY-MM');
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        await migrate(database);
        await unlockDatabase(database, config, WRAPPED_KEY_COLUMNS);
        try {
          await closePeriod(database, config.timezone, values.period, { principal: null, name: 'cli' }, !!values.early);
        } catch (e) {
          if (e instanceof AppError) {
            process.stderr.write(`santong: ${e.message}\n`);
            process.exitCode = 1;
            return;
          }
          throw e;
        }
        const st = await statement(
          database.db,
          { timezone: config.timezone, currency: config.currency },
          values.period,
        );
        process.stdout.write(
          `${st.period} closed: ${st.stores.length} stores, ${st.totals.orders} orders, net ${st.totals.net} fen (credits ${st.totals.credits}, reversals ${st.totals.reversals})\n`,
        );
      } finally {
        await database.close();
      }
      return;
    }
    case 'keys': {
      const [sub, ...args] = rest;
      if (sub === 'rotate-master') {
        const { values } = parseArgs({ args, options: { 'new-key': { type: 'string' }, batch: { type: 'string' } } });
        return rotateMasterCommand(config, {
          newKey: values['new-key'],
          batch: intOpt(values.batch, 'batch', 1000) || 1,
        });
      }
      if (sub !== 'create') fail('keys supports: create, rotate-master');
      const { values } = parseArgs({
        args,
        options: {
          role: { type: 'string' },
          name: { type: 'string' },
          location: { type: 'string' },
          channel: { type: 'string' },
        },
      });
      if (!values.role || !(ROLES as readonly string[]).includes(values.role))
        fail(`--role must be one of ${ROLES.join(', ')}`);
      if (!values.name) fail('--name is required');
      if (values.channel && !(CHANNELS as readonly string[]).includes(values.channel))
        fail(`--channel must be one of ${CHANNELS.join(', ')}`);
      if (values.role === 'store_staff' && !values.location) fail('a store_staff key needs --location');
      if (values.role === 'integration' && !values.channel) fail('an integration key needs --channel');
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      await unlockDatabase(database, config, WRAPPED_KEY_COLUMNS);
      const key = await createKey(database.db, {
        name: values.name,
        role: values.role as Role,
        locationId: values.location ?? null,
        channel: (values.channel as Channel | undefined) ?? null,
      });
      process.stdout.write(key.key + '\n');
      await database.close();
      return;
    }
    case 'users': {
      const [sub, ...args] = rest;
      if (sub !== 'create') fail('users supports: create');
      const { values } = parseArgs({
        args,
        options: {
          username: { type: 'string' },
          role: { type: 'string' },
          location: { type: 'string' },
          'display-name': { type: 'string' },
          'password-stdin': { type: 'boolean' },
        },
      });
      if (!values.username || !/^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/.test(values.username))
        fail('--username is required: 2-64 letters, digits and . _ @ -');
      if (!values.role || !(USER_ROLES as readonly string[]).includes(values.role))
        fail(`--role must be one of ${USER_ROLES.join(', ')}`);
      if (values.role === 'store_staff' && !values.location) fail('a store_staff account needs --location');
      let password: string;
      let generated = false;
      if (values['password-stdin']) {
        const chunks: Buffer[] = [];
        for await (const c of process.stdin) chunks.push(c as Buffer);
        password = Buffer.concat(chunks)
          .toString('utf8')
          .replace(/\r?\n$/, '');
        if ([...password].length < MIN_PASSWORD_LENGTH)
          fail(`the password needs at least ${MIN_PASSWORD_LENGTH} characters`);
      } else {
        password = generatePassword();
        generated = true;
      }
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        await migrate(database);
        await unlockDatabase(database, config, WRAPPED_KEY_COLUMNS);
        const user = await database.db.transaction().execute(async (tx) => {
          const u = await createUser(tx, {
            username: values.username!,
            password,
            role: values.role as UserRole,
            locationId: values.location ?? null,
            displayName: values['display-name'] ?? values.username!,
          });
          if (u)
            await audit(tx, null, {
              action: 'user.create',
              subject: u.id,
              details: { role: u.role, location_id: u.location_id, via: 'cli' },
            });
          return u;
        });
        if (!user) {
          process.stderr.write(`santong: the username ${values.username} is already taken\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(
          generated
            ? `created ${user.id} (${user.role}); password: ${password}\n`
            : `created ${user.id} (${user.role})\n`,
        );
      } finally {
        await database.close();
      }
      return;
    }
    case 'import': {
      const [kind, ...args] = rest;
      if (kind !== 'customers' && kind !== 'orders') fail('import supports: customers, orders');
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          map: { type: 'string', multiple: true },
          channel: { type: 'string' },
          report: { type: 'string' },
          encoding: { type: 'string' },
          concurrency: { type: 'string' },
          strict: { type: 'boolean' },
          money: { type: 'string' },
          timezone: { type: 'string' },
          window: { type: 'string' },
        },
      });
      if (positionals.length !== 1) fail(`import ${kind} needs one FILE`);
      if (kind === 'customers') {
        const extra = (['strict', 'money', 'timezone', 'window'] as const).filter((o) => values[o] !== undefined);
        if (extra.length) fail(`--${extra[0]} is an option of import orders`);
      }
      if (values.money !== undefined && values.money !== 'fen' && values.money !== 'yuan')
        fail('--money must be fen or yuan');
      const concurrency =
        values.concurrency === undefined ? undefined : intOpt(values.concurrency, 'concurrency', 1) || 1;
      const window = values.window === undefined ? undefined : intOpt(values.window, 'window', 10000) || 1;
      const database = await openDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        poolSize: Math.max(10, (concurrency ?? 8) + 2),
      });
      let usage: string | null = null;
      try {
        const keys = await unlockDatabase(database, config, WRAPPED_KEY_COLUMNS);
        const bar = progressBar(`Importing ${kind}`);
        const common = {
          file: positionals[0],
          maps: parseMaps(values.map),
          channel: values.channel,
          report: values.report ?? null,
          encoding: values.encoding,
          concurrency,
          progress: bar.update,
        };
        let r: {
          rows: number;
          rejected: number;
          firstRejected: string[];
          ignoredColumns: string[];
          report: string | null;
          ms: number;
          rowsPerSecond: number;
        };
        let summary: string;
        try {
          if (kind === 'customers') {
            const c = await importCustomers(database, keys, common);
            r = c;
            summary = `${c.imported.toLocaleString('en')} imported: ${c.created.toLocaleString('en')} new customers, ${c.imported - c.created} found again, ${c.merges} merges`;
          } else {
            const o = await importOrders(database, keys, {
              ...common,
              strict: values.strict,
              money: values.money as 'fen' | 'yuan' | undefined,
              timezone: values.timezone ?? config.timezone,
              currency: config.currency,
              window,
            });
            r = o;
            // The dashboard's rollups include the imported history (imports publish no events).
            const rb = await rebuildSalesRollups(database, config.timezone);
            process.stdout.write(`analytics rollups rebuilt in ${(rb.ms / 1000).toFixed(1)} s\n`);
            summary = `${o.orders.toLocaleString('en')} orders (${o.lines.toLocaleString('en')} lines) imported, ${o.skipped.toLocaleString('en')} already imported, ${o.rejectedOrders.toLocaleString('en')} rejected; customers: ${o.customers.created.toLocaleString('en')} new, ${o.customers.resolved - o.customers.created} found, ${o.customers.merges} merges; ${o.productsCreated} products created${o.redone ? `; ${o.redone} orders of an interrupted run redone` : ''}`;
          }
        } finally {
          bar.stop();
        }
        if (r.ignoredColumns.length) process.stdout.write(`ignored columns: ${r.ignoredColumns.join(', ')}\n`);
        process.stdout.write(
          `${r.rows.toLocaleString('en')} rows in ${(r.ms / 1000).toFixed(1)} s (${r.rowsPerSecond.toLocaleString('en')} rows/s): ${summary}\n`,
        );
        if (r.rejected > 0) {
          process.stdout.write(
            `${r.rejected.toLocaleString('en')} rows rejected${r.report ? `, listed in ${r.report}` : ''}\n`,
          );
          if (!r.report) {
            for (const line of r.firstRejected) process.stdout.write(`  ${line}\n`);
            if (r.rejected > r.firstRejected.length)
              process.stdout.write(
                `  ... and ${r.rejected - r.firstRejected.length} more (--report FILE lists them all)\n`,
              );
          }
        }
      } catch (e) {
        if (e instanceof ImportFileError) {
          process.stderr.write(
            `santong: import stopped: ${e.message}\nThe rows before it were imported; fix the file and run the same command again (what is already imported is not imported twice).\n`,
          );
          process.exitCode = 1;
        } else if (e instanceof ImportUsageError) usage = e.message;
        else throw e;
      } finally {
        await database.close();
      }
      if (usage) fail(usage);
      return;
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return;
    default:
      fail(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // An unknown option or one missing its value is a usage error, like the others above.
  if (err instanceof Error && String((err as NodeJS.ErrnoException).code ?? '').startsWith('ERR_PARSE_ARGS_'))
    fail(err.message);
  if (err instanceof MasterKeyError) {
    process.stderr.write(`santong: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`santong: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
