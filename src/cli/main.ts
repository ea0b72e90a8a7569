import { parseArgs } from 'node:util';
import { createKey } from '../platform/auth/keys';
import { CHANNELS, ROLES, type Channel, type Role } from '../platform/auth/roles';
import { loadConfig } from '../platform/config';
import { KeyRing, loadMasterKey } from '../platform/crypto/keys';
import { openDatabase } from '../platform/db/database';
import { migrate } from '../platform/db/migrate';
import { startSantong } from '../platform/app';
import { DEMO_DEFAULTS, isSeeded, seedDemo } from '../demo/seed';
import { progressBar } from './progress';

const USAGE = `santong <command>

  start                         run the server (embedded Postgres unless DATABASE_URL is set)
  migrate                       apply database migrations
  seed --demo [--customers N] [--months M] [--seed S] [--events E]
                                load the demo retailer
  keys create --role R --name NAME [--location ID] [--channel C]
                                create an API key and print it
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

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'start': {
      const started = Date.now();
      const santong = await startSantong(config, {
        async beforeListen(ctx) {
          if (!config.demo || (await isSeeded(ctx.database))) return;
          const bar = progressBar('Seeding the demo retailer');
          const r = await seedDemo(ctx.database, ctx.keys, DEMO_DEFAULTS, bar.update);
          bar.stop();
          process.stdout.write(`Demo retailer loaded: ${r.customers} customers, ${r.orders} orders, ${r.events} events in ${(r.ms / 1000).toFixed(1)} s\n`);
        },
      });
      process.stdout.write(`\nSantong ${santong.ctx.version} is running on ${santong.ctx.database.kind} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      process.stdout.write(`  console  ${santong.url}/\n  API      ${santong.url}/v1\n  docs     ${santong.url}/docs\n`);
      if (santong.devAdminKey) process.stdout.write(`  admin API key (dev mode): ${santong.devAdminKey}\n`);
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
      const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean' }, customers: { type: 'string' }, months: { type: 'string' }, seed: { type: 'string' }, events: { type: 'string' } } });
      if (!values.demo) fail('seed needs --demo');
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 4 });
      await migrate(database);
      if (await isSeeded(database)) fail('this database already holds a demo retailer');
      const keys = new KeyRing(loadMasterKey(config.masterKey, config.masterKeyFile));
      const bar = progressBar('Seeding');
      const r = await seedDemo(database, keys, {
        customers: intOpt(values.customers, 'customers', DEMO_DEFAULTS.customers),
        months: intOpt(values.months, 'months', DEMO_DEFAULTS.months),
        seed: intOpt(values.seed, 'seed', DEMO_DEFAULTS.seed),
        eventsPerCustomer: intOpt(values.events, 'events', DEMO_DEFAULTS.eventsPerCustomer ?? 8),
        chunkSize: 5000,
      }, bar.update);
      bar.stop();
      process.stdout.write(`seeded ${r.customers} customers, ${r.orders} orders, ${r.lines} lines, ${r.events} events in ${(r.ms / 1000).toFixed(1)} s\n`);
      await database.close();
      return;
    }
    case 'keys': {
      const [sub, ...args] = rest;
      if (sub !== 'create') fail('keys supports: create');
      const { values } = parseArgs({ args, options: { role: { type: 'string' }, name: { type: 'string' }, location: { type: 'string' }, channel: { type: 'string' } } });
      if (!values.role || !(ROLES as readonly string[]).includes(values.role)) fail(`--role must be one of ${ROLES.join(', ')}`);
      if (!values.name) fail('--name is required');
      if (values.channel && !(CHANNELS as readonly string[]).includes(values.channel)) fail(`--channel must be one of ${CHANNELS.join(', ')}`);
      if (values.role === 'store_staff' && !values.location) fail('a store_staff key needs --location');
      if (values.role === 'integration' && !values.channel) fail('an integration key needs --channel');
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      await migrate(database);
      const key = await createKey(database.db, { name: values.name, role: values.role as Role, locationId: values.location ?? null, channel: (values.channel as Channel | undefined) ?? null });
      process.stdout.write(key.key + '\n');
      await database.close();
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
  if (err instanceof Error && String((err as NodeJS.ErrnoException).code ?? '').startsWith('ERR_PARSE_ARGS_')) fail(err.message);
  process.stderr.write(`santong: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
