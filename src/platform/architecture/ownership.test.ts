import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWNED_TABLES as analytics } from '../../modules/analytics/tables';
import { OWNED_TABLES as appointments } from '../../modules/appointments/tables';
import { OWNED_TABLES as audiences } from '../../modules/audiences/tables';
import { OWNED_TABLES as catalog } from '../../modules/catalog/tables';
import { OWNED_TABLES as clv } from '../../modules/clv/tables';
import { OWNED_TABLES as forecasts } from '../../modules/forecasts/tables';
import { OWNED_TABLES as couriers } from '../../modules/couriers/tables';
import { OWNED_TABLES as customers } from '../../modules/customers/tables';
import { OWNED_TABLES as fulfilment } from '../../modules/fulfilment/tables';
import { OWNED_TABLES as groupbuy } from '../../modules/groupbuy/tables';
import { OWNED_TABLES as imports } from '../../modules/imports/tables';
import { OWNED_TABLES as inventory } from '../../modules/inventory/tables';
import { OWNED_TABLES as journeys } from '../../modules/journeys/tables';
import { OWNED_TABLES as locations } from '../../modules/locations/tables';
import { OWNED_TABLES as coupons } from '../../modules/loyalty/coupons/tables';
import { OWNED_TABLES as messaging } from '../../modules/messaging/tables';
import { OWNED_TABLES as points } from '../../modules/loyalty/points/tables';
import { OWNED_TABLES as referrals } from '../../modules/loyalty/referrals/tables';
import { OWNED_TABLES as tiers } from '../../modules/loyalty/tiers/tables';
import { OWNED_TABLES as orders } from '../../modules/orders/tables';
import { OWNED_TABLES as presales } from '../../modules/presales/tables';
import { OWNED_TABLES as reviews } from '../../modules/reviews/tables';
import { OWNED_TABLES as segments } from '../../modules/segments/tables';
import { OWNED_TABLES as settlements } from '../../modules/settlements/tables';
import { OWNED_TABLES as transfers } from '../../modules/transfers/tables';
import { OWNED_TABLES as platform } from '../tables';
import { createdRelations, importSpecifiers, listFiles, ownerOf, tableUses } from './table-uses';

/**
 * Module ownership of tables (README, Architecture): every table is created by one owner's
 * migrations (a module, or the platform) and named only in that owner's code. Others go through
 * what the owner exports: functions, or SQL fragments built in the owner's folder. Modules may use
 * the platform's tables (outbox, audit log, settings: the layer under every module); the platform
 * uses no module's table and imports no module.
 *
 * Not checked: src/demo (the demo generator, a privileged seeder that bulk-loads every table),
 * src/cli and src/app.ts (composition roots), tests, bench/.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/** Each owner's declared tables (its tables.ts files; loyalty has one per part). A new owner is added here. */
const DECLARED: Record<string, readonly string[]> = {
  platform,
  analytics,
  appointments,
  audiences,
  catalog,
  clv,
  couriers,
  customers,
  forecasts,
  fulfilment,
  groupbuy,
  imports,
  inventory,
  journeys,
  locations,
  loyalty: [...coupons, ...points, ...referrals, ...tiers],
  messaging,
  orders,
  presales,
  reviews,
  segments,
  settlements,
  transfers,
};

/**
 * Imports of another module's internal files that remain. Most wait for an import cycle to be
 * broken (orders ↔ pricing ↔ loyalty, routing ↔ locations, orders' lifecycle and locks); none may
 * be added: export what another module needs from the owner's public.ts.
 */
const INTERNAL_IMPORTS_LEFT: readonly string[] = [
  'src/modules/customers/erasure.ts -> src/modules/orders/locks',
  'src/modules/fulfilment/order-lock.ts -> src/modules/orders/locks',
  'src/modules/groupbuy/pickups.ts -> src/modules/orders/lifecycle',
  'src/modules/groupbuy/shipments.ts -> src/modules/orders/lifecycle',
  'src/modules/imports/orders.ts -> src/modules/orders/import-store',
  'src/modules/locations/cache.ts -> src/modules/routing/policy',
  'src/modules/locations/public.ts -> src/modules/routing/geo',
  'src/modules/locations/routes.ts -> src/modules/routing/geo',
  'src/modules/loyalty/coupons/timeline-source.ts -> src/modules/customers/timeline',
  'src/modules/orders/lifecycle.ts -> src/modules/couriers/jobs',
  'src/modules/orders/lifecycle.ts -> src/modules/inventory/reservations',
  'src/modules/orders/loyalty.ts -> src/modules/loyalty/coupons/locks',
  'src/modules/orders/loyalty.ts -> src/modules/loyalty/coupons/service',
  'src/modules/orders/loyalty.ts -> src/modules/loyalty/points/service',
  'src/modules/orders/loyalty.ts -> src/modules/loyalty/referrals/service',
  'src/modules/orders/loyalty.ts -> src/modules/pricing/engine',
  'src/modules/orders/place-order.ts -> src/modules/routing/policy',
  'src/modules/orders/place-order.ts -> src/modules/pricing/quote',
  'src/modules/orders/plan.ts -> src/modules/routing/policy',
  'src/modules/orders/plan.ts -> src/modules/pricing/engine',
  'src/modules/orders/plan.ts -> src/modules/pricing/quote',
  'src/modules/orders/returns.ts -> src/modules/pricing/allocate',
  'src/modules/pricing/engine.ts -> src/modules/loyalty/coupons/service',
  'src/modules/pricing/quote.ts -> src/modules/inventory/low-stock',
  'src/modules/pricing/quote.ts -> src/modules/loyalty/coupons/service',
  'src/modules/pricing/quote.ts -> src/modules/loyalty/points/service',
  'src/modules/pricing/routes.ts -> src/modules/orders/plan',
  'src/modules/routing/geo.ts -> src/modules/locations/service',
  'src/modules/routing/policy.ts -> src/modules/locations/service',
];

const migrationFiles = listFiles(ROOT, 'src', (n) => n.endsWith('.sql')).filter((f) =>
  f.split(path.sep).includes('migrations'),
);
const owners = new Map<string, string>();
const created = new Map<string, string[]>();
for (const f of migrationFiles) {
  const owner = ownerOf(f);
  if (!owner) throw new Error(`${f}: migrations belong to the platform or a module`);
  for (const table of createdRelations(fs.readFileSync(path.join(ROOT, f), 'utf8'))) {
    if (owners.has(table) && owners.get(table) !== owner)
      throw new Error(`${table} is created by ${owners.get(table)} and ${owner}`);
    owners.set(table, owner);
    created.set(owner, [...new Set([...(created.get(owner) ?? []), table])]);
  }
}
const sources = listFiles(ROOT, 'src', (n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))
  .map((f) => ({
    file: f.split(path.sep).join('/'),
    owner: ownerOf(f),
    text: fs.readFileSync(path.join(ROOT, f), 'utf8'),
  }))
  .filter((s): s is { file: string; owner: string; text: string } => s.owner !== null);

describe('module ownership of tables', () => {
  it('reads the owners from the migrations', () => {
    expect(owners.get('orders')).toBe('orders');
    expect(owners.get('fulfillments')).toBe('fulfilment');
    expect(owners.get('courier_jobs')).toBe('couriers');
    expect(owners.get('stock_reservations')).toBe('inventory');
    expect(owners.get('outbox')).toBe('platform');
    expect(owners.size).toBeGreaterThan(40);
  });

  it("every owner's tables.ts files declare exactly the tables its migrations create", () => {
    const sorted = (entries: [string, readonly string[]][]) =>
      Object.fromEntries(entries.map(([k, v]) => [k, [...v].sort()]).sort());
    expect(sorted(Object.entries(DECLARED))).toEqual(sorted([...created]));
  });

  it("no code names another owner's table (the platform's excepted for modules)", () => {
    const known = new Set(owners.keys());
    const found: string[] = [];
    for (const s of sources) {
      for (const use of tableUses(s.text, known)) {
        const owner = owners.get(use.table)!;
        if (owner === s.owner || (owner === 'platform' && s.owner !== 'platform')) continue;
        found.push(`${s.file}:${use.line}: ${use.table} (${owner}, ${use.access})`);
      }
    }
    expect(found).toEqual([]);
  });

  it('modules reach each other through public.ts (the internal imports left are listed below and may only shrink)', () => {
    const found = sources
      .filter((s) => s.owner !== 'platform')
      .flatMap((s) =>
        importSpecifiers(s.text)
          .filter((spec) => spec.startsWith('.'))
          .map((spec) => `${s.file} -> ${path.posix.join(path.posix.dirname(s.file), spec)}`),
      )
      .filter((edge) => {
        const [from, to] = edge.split(' -> ').map((f) => f.split('/'));
        return to[1] === 'modules' && to.length > 3 && to[2] !== from[2] && to[to.length - 1] !== 'public';
      });
    expect(found.filter((e) => !INTERNAL_IMPORTS_LEFT.includes(e))).toEqual([]);
    expect(INTERNAL_IMPORTS_LEFT.filter((e) => !found.includes(e))).toEqual([]);
  });

  it('the platform imports no module', () => {
    const found = sources
      .filter((s) => s.owner === 'platform')
      .flatMap((s) =>
        importSpecifiers(s.text)
          .filter((spec) => spec.startsWith('.'))
          .map((spec) => ({ s, target: path.join(path.dirname(s.file), spec) })),
      )
      .filter(({ target }) => target.split('/').slice(0, 2).join('/') === 'src/modules')
      .map(({ s, target }) => `${s.file} imports ${target}`);
    expect(found).toEqual([]);
  });
});

describe('the scanner', () => {
  const known = new Set(['orders', 'stock', 'products']);
  it('finds Kysely calls, raw SQL and table names handed to helpers, and tells reads from writes', () => {
    const src = [
      "db.selectFrom('orders as o').innerJoin('products as p', 'p.sku', 'o.sku')",
      '// FROM stock in a comment does not count',
      'sql`UPDATE stock SET x = 1`; sql`DELETE FROM orders`; sql`SELECT 1 FROM products p`',
      "database.copyCsv('stock', cols, csv); const label = 'orders is a word'",
    ].join('\n');
    expect(tableUses(src, known).map((u) => `${u.line} ${u.table} ${u.access}`)).toEqual([
      '1 orders read',
      '1 products read',
      '3 stock write',
      '3 orders write',
      '3 products read',
      '4 stock write',
    ]);
  });
  it('reads CREATE TABLE and CREATE VIEW, IF NOT EXISTS included, ignoring comments', () => {
    expect(
      createdRelations(
        '-- CREATE TABLE nope (x int);\nCREATE TABLE IF NOT EXISTS a (x int);\ncreate view b AS SELECT 1;',
      ),
    ).toEqual(['a', 'b']);
  });
});
