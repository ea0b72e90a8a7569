import { sql } from 'kysely';
import { CHANNELS } from '../../platform/auth/roles';
import type { KeyRing } from '../../platform/crypto/keys';
import type { Database } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { row as csvRow } from '../../demo/csv';
import type { Progress } from '../../demo/seed';
import { IDENTIFIER_TYPES, InvalidIdentifier, normalise, type IdentifierType } from '../customers/public';
import { createProductsIfAbsent, listPricesOf, setMissingCosts } from '../catalog/public';
import { identify } from '../customers/public';
import { listLocations } from '../locations/public';
import {
  copyImportedOrders,
  discardImportedOrders,
  existingOrderIds,
  type ImportedOrder,
} from '../orders/import-store';
import { BoundedPool, cell, ImportUsageError, meter, openCsv, planColumns, Report, type ColumnPlan } from './csv';
import { importedOrderId, parseMoney, parseTimestamp } from './values';

/**
 * `santong import orders`: a retailer's order history, one order line per CSV row.
 *
 * - Rows of one order share its order_id. They need not be adjacent: rows are buffered by order id
 *   and an order is written once `window` rows (default 10,000) have passed without another row
 *   of it, so memory stays flat for a file of any size. A row that comes later than that, after
 *   its order was written, is rejected with a reason (sort the file or raise --window); an order
 *   with any invalid row is rejected whole, every row named in the report.
 * - Orders are history: status completed, paid when placed, no stock movement, no events or
 *   webhooks, no fulfilment records. in_store when a pos order names its store, else delivery.
 * - Customers are resolved with One ID `identify` from the customer_<type> columns (cached per
 *   identifier within a run); an order without any is a guest order.
 * - An unknown SKU becomes a product in category `imported` at the line's unit price (--strict
 *   rejects its orders instead); an unknown location rejects the row.
 * - Idempotent: the order's id is `imp_` + its order number (sanitised), so a re-run skips the
 *   orders already imported. Orders and lines are bulk-written with COPY in chunks; the chunk's
 *   rows in order_imports are written last and mark it complete, so an interrupted run's partial
 *   chunk (orders without that mark) is removed and written again by the next run.
 */

export const ORDER_FIELDS = [
  'order_id',
  'placed_at',
  'channel',
  'location_id',
  'sku',
  'qty',
  'amount',
  'unit_price',
  'product_name',
  'cost_price',
] as const;
const CUSTOMER_PREFIX = 'customer_';
const FIELD_LIST = [...ORDER_FIELDS, ...IDENTIFIER_TYPES.map((t) => CUSTOMER_PREFIX + t)].join(', ');

export function isOrderField(f: string): boolean {
  if ((ORDER_FIELDS as readonly string[]).includes(f)) return true;
  return (
    f.startsWith(CUSTOMER_PREFIX) && (IDENTIFIER_TYPES as readonly string[]).includes(f.slice(CUSTOMER_PREFIX.length))
  );
}

export interface OrderImportOptions {
  file: string;
  maps?: Record<string, string>;
  /** The channel of rows without a channel column or value (default: pos when the row names a location, else web). */
  channel?: string;
  report?: string | null;
  /** Reject orders with unknown SKUs instead of creating the products. */
  strict?: boolean;
  /** fen (default): amounts are integer fen; yuan: decimal major units (12.90), converted exactly. */
  money?: 'fen' | 'yuan';
  /** Time zone of placed_at values that carry none (default Asia/Shanghai). */
  timezone?: string;
  currency?: string;
  /** Rows an order's rows may be spread over (default 10,000). */
  window?: number;
  /** Orders written per COPY (default 2,000). */
  chunk?: number;
  /** identify calls in flight at once: default 8 on PostgreSQL, 1 on PGlite. */
  concurrency?: number;
  encoding?: string;
  progress?: Progress;
  now?: Date;
}

export interface OrderImportResult {
  rows: number;
  orders: number;
  lines: number;
  /** Orders already imported by an earlier run. */
  skipped: number;
  rejectedOrders: number;
  rejected: number;
  customers: { resolved: number; created: number; merges: number };
  productsCreated: number;
  /** Orders of an interrupted earlier run written again. */
  redone: number;
  firstRejected: string[];
  ignoredColumns: string[];
  report: string | null;
  ms: number;
  rowsPerSecond: number;
}

// ---- rows and orders -----------------------------------------------------------------------

interface Problem {
  line: number;
  field: string;
  reason: string;
}

interface Line {
  line: number;
  sku: string;
  qty: number;
  unitPrice: number | null;
  amount: number | null;
  productName: string;
  /** the product's unit cost (fen), when the file gives one */
  costPrice: number | null;
}

interface Group {
  external: string;
  id: string;
  lastSeq: number;
  lines: Line[];
  /** Every file line of this order, valid or not. */
  rows: number[];
  problems: Problem[];
  placedAt: Date | null;
  channel: string;
  locationId: string | null;
  identifiers: { type: IdentifierType; value: string }[];
  identityKey: string;
  customerId: string | null;
  /** The raw order-level cells of its first row: later rows equal to them need no second look. */
  rawKey: string;
}

const CUSTOMER_CACHE_MAX = 200_000;

class OrderImport {
  readonly report: Report;
  readonly plan: ColumnPlan;
  readonly stats = {
    rows: 0,
    orders: 0,
    lines: 0,
    skipped: 0,
    rejectedOrders: 0,
    productsCreated: 0,
    redone: 0,
    customers: { resolved: 0, created: 0, merges: 0 },
  };
  private readonly runId = newId('impr');
  private readonly buffer = new Map<string, Group>();
  private ready: Group[] = [];
  private seq = 0;
  /** Orders rejected in this run: order number → the first row with a problem. */
  private readonly rejectedOrders = new Map<string, number>();
  private readonly customerCache = new Map<string, string>();
  private readonly skuPrices = new Map<string, number>();
  private locations: Set<string> = new Set();
  private readonly customerColumns: IdentifierType[];
  private readonly orderCells: string[];
  private readonly money: 'fen' | 'yuan';
  private readonly timezone: string;
  private readonly window: number;
  private readonly chunk: number;
  private readonly concurrency: number;
  private readonly now: Date;

  constructor(
    private readonly database: Database,
    private readonly keys: KeyRing,
    private readonly opts: OrderImportOptions,
    header: string[],
    readonly columns: number,
  ) {
    this.plan = planColumns(header, opts.maps ?? {}, isOrderField, FIELD_LIST);
    const missing = ['order_id', 'placed_at', 'sku', 'qty'].filter((f) => !this.plan.index.has(f));
    if (missing.length)
      throw new ImportUsageError(
        `the file has no column for ${missing.join(', ')}: name the columns so, or rename with --map column=field (columns: ${header.join(', ')})`,
      );
    this.customerColumns = IDENTIFIER_TYPES.filter((t) => this.plan.index.has(CUSTOMER_PREFIX + t));
    this.orderCells = ['placed_at', 'channel', 'location_id', ...this.customerColumns.map((t) => CUSTOMER_PREFIX + t)];
    this.money = opts.money ?? 'fen';
    this.timezone = opts.timezone ?? 'Asia/Shanghai';
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: this.timezone });
    } catch {
      throw new ImportUsageError(`unknown time zone ${this.timezone}`);
    }
    if (opts.channel && !(CHANNELS as readonly string[]).includes(opts.channel))
      throw new ImportUsageError(`--channel must be one of ${CHANNELS.join(', ')}`);
    this.window = Math.max(1, opts.window ?? 10_000);
    this.chunk = Math.max(1, opts.chunk ?? 2_000);
    this.concurrency = Math.max(1, opts.concurrency ?? (database.kind === 'postgres' ? 8 : 1));
    this.now = opts.now ?? new Date();
    this.report = new Report(opts.report ?? null);
  }

  async start(): Promise<void> {
    this.locations = new Set((await listLocations(this.database.db)).map((l) => l.id));
  }

  private col(field: string): string {
    return this.plan.column.get(field) ?? field;
  }

  /** The order-level values of a row: when, where, who. */
  private orderFields(
    line: number,
    values: string[],
  ): Pick<Group, 'placedAt' | 'channel' | 'locationId' | 'identifiers' | 'identityKey'> & { problems: Problem[] } {
    const problems: Problem[] = [];
    const at = cell(this.plan, values, 'placed_at');
    let placedAt: Date | null = null;
    if (at === '') problems.push({ line, field: this.col('placed_at'), reason: 'empty' });
    else {
      placedAt = parseTimestamp(at, this.timezone);
      if (!placedAt)
        problems.push({
          line,
          field: this.col('placed_at'),
          reason: `${at} is not a date and time (YYYY-MM-DD HH:MM[:SS], ISO 8601)`,
        });
      else if (placedAt.getTime() > this.now.getTime() + 86400_000)
        problems.push({ line, field: this.col('placed_at'), reason: `${at} is in the future` });
    }
    const locationId = cell(this.plan, values, 'location_id') || null;
    if (locationId && !this.locations.has(locationId))
      problems.push({ line, field: this.col('location_id'), reason: `unknown location ${locationId}` });
    const channel = cell(this.plan, values, 'channel') || this.opts.channel || (locationId ? 'pos' : 'web');
    if (!(CHANNELS as readonly string[]).includes(channel))
      problems.push({
        line,
        field: this.col('channel'),
        reason: `unknown channel ${channel} (${CHANNELS.join(', ')})`,
      });
    const identifiers: { type: IdentifierType; value: string }[] = [];
    const keyParts: string[] = [];
    for (const type of this.customerColumns) {
      const v = cell(this.plan, values, CUSTOMER_PREFIX + type);
      if (v === '') continue;
      try {
        keyParts.push(`${type}:${normalise(type, v)}`);
        identifiers.push({ type, value: v });
      } catch (e) {
        if (!(e instanceof InvalidIdentifier)) throw e;
        problems.push({ line, field: this.col(CUSTOMER_PREFIX + type), reason: e.message });
      }
    }
    return { placedAt, channel, locationId, identifiers, identityKey: keyParts.join('\n'), problems };
  }

  private lineFields(line: number, values: string[], problems: Problem[]): Line | null {
    const before = problems.length;
    const sku = cell(this.plan, values, 'sku');
    if (sku === '') problems.push({ line, field: this.col('sku'), reason: 'empty' });
    else if (sku.length > 64) problems.push({ line, field: this.col('sku'), reason: 'longer than 64 characters' });
    const q = cell(this.plan, values, 'qty');
    const qty = Number(q);
    if (!/^-?\d+(\.0*)?$/.test(q) || qty <= 0 || qty > 1_000_000) {
      problems.push({
        line,
        field: this.col('qty'),
        reason:
          q === ''
            ? 'empty'
            : qty <= 0
              ? `${q}: not a positive quantity (returns and cancellations are not imported)`
              : `${q} is not a whole quantity from 1 to 1,000,000`,
      });
    }
    const money = (field: 'unit_price' | 'amount' | 'cost_price'): number | null => {
      const v = cell(this.plan, values, field);
      if (v === '') return null;
      const r = parseMoney(v, this.money);
      if (typeof r === 'string') {
        problems.push({ line, field: this.col(field), reason: r });
        return null;
      }
      return r;
    };
    const unitPrice = money('unit_price');
    const amount = money('amount');
    const costPrice = money('cost_price');
    if (problems.length > before) return null;
    if (unitPrice !== null && amount !== null && amount > unitPrice * qty) {
      problems.push({
        line,
        field: this.col('amount'),
        reason: `${amount} is more than qty × unit_price (${qty} × ${unitPrice})`,
      });
      return null;
    }
    return {
      line,
      sku,
      qty,
      unitPrice,
      amount,
      productName: cell(this.plan, values, 'product_name').slice(0, 200),
      costPrice,
    };
  }

  /** One CSV record: into its order's buffer; orders quiet for `window` rows become ready. */
  async add(line: number, values: string[]): Promise<void> {
    this.stats.rows++;
    this.seq++;
    if (values.length !== this.columns) {
      this.report.reject(
        line,
        'columns',
        `${values.length} fields where the header has ${this.columns} (an unquoted comma?)`,
      );
      return this.evict();
    }
    const external = cell(this.plan, values, 'order_id');
    if (external === '') {
      this.report.reject(line, this.col('order_id'), 'empty');
      return this.evict();
    }
    const firstBad = this.rejectedOrders.get(external);
    if (firstBad !== undefined) {
      this.report.reject(line, this.col('order_id'), `order ${external} is not imported: row ${firstBad} is invalid`);
      return this.evict();
    }
    let g = this.buffer.get(external);
    const rawKey = this.orderCells.map((f) => cell(this.plan, values, f)).join('\u0001');
    if (!g) {
      const o = this.orderFields(line, values);
      g = { external, id: importedOrderId(external), lastSeq: 0, lines: [], rows: [], customerId: null, rawKey, ...o };
    } else if (rawKey === g.rawKey) {
      this.buffer.delete(external); // re-inserted below: the map stays ordered by last row
    } else {
      this.buffer.delete(external);
      const o = this.orderFields(line, values);
      // Every row of an order must name the same customer, channel and location; placed_at is the first row's.
      if (o.identityKey !== g.identityKey && o.problems.length === 0)
        g.problems.push({
          line,
          field: 'customer',
          reason: `another customer than row ${g.rows[0]} of order ${external}`,
        });
      else if (o.channel !== g.channel)
        g.problems.push({
          line,
          field: this.col('channel'),
          reason: `${o.channel} where row ${g.rows[0]} of order ${external} says ${g.channel}`,
        });
      else if (o.locationId !== g.locationId)
        g.problems.push({
          line,
          field: this.col('location_id'),
          reason: `${o.locationId ?? 'none'} where row ${g.rows[0]} of order ${external} says ${g.locationId ?? 'none'}`,
        });
      g.problems.push(
        ...o.problems.filter((p) => !g!.problems.some((q) => q.field === p.field && q.reason === p.reason)),
      );
    }
    g.rows.push(line);
    const l = this.lineFields(line, values, g.problems);
    if (l) g.lines.push(l);
    g.lastSeq = this.seq;
    this.buffer.set(external, g);
    return this.evict();
  }

  private async evict(): Promise<void> {
    for (const [key, g] of this.buffer) {
      if (g.lastSeq > this.seq - this.window) break;
      this.buffer.delete(key);
      this.ready.push(g);
    }
    if (this.ready.length >= this.chunk) await this.flush();
  }

  async finish(): Promise<void> {
    this.ready.push(...this.buffer.values());
    this.buffer.clear();
    while (this.ready.length > 0) await this.flush();
  }

  private rejectOrder(g: Group, problems: Problem[]): void {
    const byLine = new Map<number, Problem[]>();
    for (const p of problems) byLine.set(p.line, [...(byLine.get(p.line) ?? []), p]);
    const first = Math.min(...problems.map((p) => p.line));
    for (const line of [...g.rows].sort((a, b) => a - b)) {
      const own = byLine.get(line);
      if (own) for (const p of own) this.report.reject(line, p.field, p.reason);
      else
        this.report.reject(line, this.col('order_id'), `order ${g.external} is not imported: row ${first} is invalid`);
    }
    this.rejectedOrders.set(g.external, first);
    this.stats.rejectedOrders++;
  }

  /** Writes up to `chunk` ready orders. */
  private async flush(): Promise<void> {
    const batch = this.ready.splice(0, this.chunk);
    let orders: Group[] = [];
    for (const g of batch) {
      if (g.problems.length > 0 || g.lines.length === 0)
        this.rejectOrder(
          g,
          g.problems.length ? g.problems : [{ line: g.rows[0], field: 'order_id', reason: 'no valid line' }],
        );
      else orders.push(g);
    }
    if (orders.length === 0) return;

    // Already here? Imported by an earlier run: skip. By this run: rows came too late. Unmarked: an interrupted run's, redo.
    const { db } = this.database;
    const found = [
      ...(await existingOrderIds(
        db,
        orders.map((g) => g.id),
      )),
    ];
    const marks = found.length
      ? (
          await sql<{ order_id: string; run_id: string }>`
          SELECT order_id, run_id FROM order_imports WHERE order_id IN (${sql.join(found)})`.execute(db)
        ).rows
      : [];
    const runs = new Map(marks.map((m) => [m.order_id, m.run_id]));
    const existing = new Map(found.map((id) => [id, runs.get(id) ?? null]));
    const seen = new Set<string>();
    const redo: string[] = [];
    const late = (g: Group) => {
      for (const line of g.rows)
        this.report.reject(
          line,
          this.col('order_id'),
          `order ${g.external} was already written from rows before; rows of one order must come within ${this.window.toLocaleString('en')} rows of each other (sort the file by order id or raise --window)`,
        );
    };
    orders = orders.filter((g) => {
      if (seen.has(g.id)) {
        late(g);
        return false;
      }
      seen.add(g.id);
      if (!existing.has(g.id)) return true;
      const run = existing.get(g.id);
      if (run === this.runId) late(g);
      else if (run) this.stats.skipped++;
      else {
        redo.push(g.id);
        return true;
      }
      return false;
    });
    if (redo.length > 0) {
      await discardImportedOrders(db, redo);
      this.stats.redone += redo.length;
    }
    if (orders.length === 0) return;

    orders = await this.resolveProducts(orders);
    orders = await this.resolveCustomers(orders);
    if (orders.length === 0) return;

    const currency = this.opts.currency ?? 'CNY';
    let marksCsv = '';
    const rows: ImportedOrder[] = orders.map((g) => {
      // unit_price and amount: discount is the difference; amount alone: the unit price rounds up, the rest is discount.
      const lines = g.lines.map((l) => {
        const unit = l.unitPrice ?? (l.amount !== null ? Math.ceil(l.amount / l.qty) : this.skuPrices.get(l.sku)!);
        const amount = l.amount ?? unit * l.qty;
        return { sku: l.sku, qty: l.qty, unit_price: unit, discount: unit * l.qty - amount, amount };
      });
      marksCsv += csvRow([g.id, g.external, this.runId]);
      this.stats.lines += g.lines.length;
      const sum = (f: (l: (typeof lines)[number]) => number) => lines.reduce((t, l) => t + f(l), 0);
      return {
        id: g.id,
        channel: g.channel,
        customer_id: g.customerId,
        location_id: g.locationId,
        currency,
        placed_at: g.placedAt!,
        fulfillment_type: g.locationId && g.channel === 'pos' ? 'in_store' : 'delivery',
        subtotal: sum((l) => l.unit_price * l.qty),
        discount_total: sum((l) => l.discount),
        total: sum((l) => l.amount),
        lines,
      };
    });
    await copyImportedOrders(this.database, rows);
    await this.database.copyCsv('order_imports', ['order_id', 'external_id', 'run_id'], marksCsv);
    this.stats.orders += orders.length;
  }

  /** Known SKUs keep their list price for lines without one; unknown ones become products (or, --strict, reject the order). */
  private async resolveProducts(orders: Group[]): Promise<Group[]> {
    const unknown = [
      ...new Set(orders.flatMap((g) => g.lines.map((l) => l.sku)).filter((s) => !this.skuPrices.has(s))),
    ];
    for (let i = 0; i < unknown.length; i += 5000) {
      const part = unknown.slice(i, i + 5000);
      for (const [sku, price] of await listPricesOf(this.database.db, part)) this.skuPrices.set(sku, price);
    }
    const create = new Map<string, { name: string; price: number }>();
    const kept: Group[] = [];
    for (const g of orders) {
      const problems: Problem[] = [];
      for (const l of g.lines) {
        if (this.skuPrices.has(l.sku)) continue;
        if (this.opts.strict)
          problems.push({ line: l.line, field: this.col('sku'), reason: `unknown SKU ${l.sku} (--strict)` });
        else if (l.unitPrice === null && l.amount === null)
          problems.push({
            line: l.line,
            field: this.col('sku'),
            reason: `unknown SKU ${l.sku} and no unit_price or amount to create it with`,
          });
        else if (!create.has(l.sku))
          create.set(l.sku, { name: l.productName || l.sku, price: l.unitPrice ?? Math.ceil(l.amount! / l.qty) });
      }
      if (problems.length) this.rejectOrder(g, problems);
      else kept.push(g);
    }
    const used = new Set(kept.flatMap((g) => g.lines.map((l) => l.sku)));
    const rows = [...create]
      .filter(([sku]) => used.has(sku))
      .map(([sku, p]) => ({
        sku,
        name: p.name,
        category: 'imported',
        list_price: p.price,
        channels: [...CHANNELS],
        attributes: JSON.stringify({ imported: true }),
      }));
    for (let i = 0; i < rows.length; i += 1000) {
      this.stats.productsCreated += await createProductsIfAbsent(this.database.db, rows.slice(i, i + 1000));
    }
    // Unit costs in the file: set on the products that have none yet (revenue share on the margin).
    const costs = new Map<string, number>();
    for (const g of kept) for (const l of g.lines) if (l.costPrice !== null) costs.set(l.sku, l.costPrice);
    if (costs.size) await setMissingCosts(this.database.db, costs);
    for (const r of rows) if (!this.skuPrices.has(r.sku)) this.skuPrices.set(r.sku, r.list_price);
    return kept;
  }

  /** One identify per distinct customer of the chunk not yet seen in this run (a cache, capped, serves the rest). */
  private async resolveCustomers(orders: Group[]): Promise<Group[]> {
    const todo = new Map<string, Group>();
    for (const g of orders) {
      if (!g.identityKey || this.customerCache.has(g.identityKey)) continue;
      // A new customer is first seen with their earliest order of the chunk (created_at, first channel).
      const other = todo.get(g.identityKey);
      if (!other || g.placedAt!.getTime() < other.placedAt!.getTime()) todo.set(g.identityKey, g);
    }
    const failed = new Map<string, Problem>();
    const pool = new BoundedPool(this.concurrency);
    for (const [key, g] of todo) {
      await pool.run(async () => {
        try {
          const r = await identify(this.database, this.keys, {
            identifiers: g.identifiers,
            channel: g.channel,
            at: g.placedAt!,
          });
          this.stats.customers.resolved++;
          if (r.created) this.stats.customers.created++;
          this.stats.customers.merges += r.merged.length;
          if (this.customerCache.size >= CUSTOMER_CACHE_MAX)
            this.customerCache.delete(this.customerCache.keys().next().value!);
          this.customerCache.set(key, r.customer_id);
        } catch (e) {
          if (!(e instanceof AppError) || e.status >= 500) throw e;
          const i = /^identifiers\[(\d+)\]/.exec(e.field ?? '');
          failed.set(key, {
            line: g.rows[0],
            field: i ? this.col(CUSTOMER_PREFIX + g.identifiers[Number(i[1])].type) : 'customer',
            reason: e.message,
          });
        }
      });
    }
    await pool.drain();
    const kept: Group[] = [];
    for (const g of orders) {
      const problem = failed.get(g.identityKey);
      if (problem) this.rejectOrder(g, [{ ...problem, line: g.rows[0] }]);
      else {
        g.customerId = g.identityKey ? this.customerCache.get(g.identityKey)! : null;
        kept.push(g);
      }
    }
    return kept;
  }
}

/** Imports order history from a CSV (or .csv.gz) file; see the module comment. */
export async function importOrders(
  database: Database,
  keys: KeyRing,
  opts: OrderImportOptions,
): Promise<OrderImportResult> {
  const csv = await openCsv(opts.file, { encoding: opts.encoding });
  let run: OrderImport | null = null;
  try {
    run = new OrderImport(database, keys, opts, csv.header, csv.header.length);
    await run.start();
    const m = meter(opts.progress, csv);
    for await (const rec of csv.records) {
      await run.add(rec.line, rec.values);
      m.tick(run.stats.rows);
    }
    await run.finish();
    m.tick(run.stats.rows, true);
    const s = run.stats;
    return {
      rows: s.rows,
      orders: s.orders,
      lines: s.lines,
      skipped: s.skipped,
      rejectedOrders: s.rejectedOrders,
      rejected: run.report.rejected,
      customers: s.customers,
      productsCreated: s.productsCreated,
      redone: s.redone,
      firstRejected: run.report.first,
      ignoredColumns: run.plan.ignored,
      report: run.report.file,
      ms: m.ms(),
      rowsPerSecond: m.rate(s.rows),
    };
  } finally {
    run?.report.close();
    csv.close();
  }
}
