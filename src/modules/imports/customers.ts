import { CHANNELS } from '../../platform/auth/roles';
import type { KeyRing } from '../../platform/crypto/keys';
import type { Database } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import { contactDataIn } from '../../platform/privacy/contact-data';
import type { Progress } from '../../demo/seed';
import { InvalidIdentifier, normalise, type IdentifierType } from '../customers/public';
import { identify } from '../customers/public';
import { isPersonalTrait } from '../customers/public';
import { BoundedPool, cell, ImportUsageError, meter, openCsv, planColumns, Report, type ColumnPlan } from './csv';

/**
 * `santong import customers`: every row of a CSV goes through One ID `identify`, exactly as
 * POST /v1/identify would (normalised identifiers, blind index, encrypted personal traits, the
 * merge rules), so a re-run finds the same people again and creates no duplicates, and a row that
 * links two existing customers merges them.
 */

export const CUSTOMER_IDENTIFIER_FIELDS = [
  'phone',
  'email',
  'member_card',
  'pos_card',
  'wechat_unionid',
  'wechat_openid',
  'device_id',
  'external',
] as const satisfies readonly IdentifierType[];
export const CUSTOMER_TRAIT_FIELDS = ['name', 'gender', 'birthday', 'city'] as const;
export const CUSTOMER_FIELDS: readonly string[] = [...CUSTOMER_IDENTIFIER_FIELDS, ...CUSTOMER_TRAIT_FIELDS];

export interface CustomerImportOptions {
  file: string;
  /** column → field renames (`--map Mobile=phone`). */
  maps?: Record<string, string>;
  /** The channel the customers are recorded as first seen on (default pos). */
  channel?: string;
  /** Where to write the rejected rows; null keeps only the first few in memory. */
  report?: string | null;
  /** identify calls in flight at once: default 8 on PostgreSQL, 1 on PGlite (one session). */
  concurrency?: number;
  encoding?: string;
  progress?: Progress;
}

export interface CustomerImportResult {
  rows: number;
  imported: number;
  created: number;
  merges: number;
  rejected: number;
  /** The first rejected rows (all of them are in the report file). */
  firstRejected: string[];
  ignoredColumns: string[];
  report: string | null;
  ms: number;
  rowsPerSecond: number;
}

const GENDERS: Record<string, string> = {
  m: 'male',
  male: 'male',
  man: 'male',
  男: 'male',
  f: 'female',
  female: 'female',
  woman: 'female',
  女: 'female',
};

/** YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD, a real date between 1900 and today → YYYY-MM-DD. */
export function parseBirthday(v: string, today = new Date()): string | null {
  const m = /^(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})$/.exec(v);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || y < 1900 || t > today)
    return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

interface PreparedRow {
  identifiers: { type: IdentifierType; value: string }[];
  traits: Record<string, string>;
}

/** Checks one row as identify would, naming the file's column of the first problem. */
function prepare(plan: ColumnPlan, values: string[]): PreparedRow | { field: string; reason: string } {
  const identifiers: { type: IdentifierType; value: string }[] = [];
  for (const type of CUSTOMER_IDENTIFIER_FIELDS) {
    const v = cell(plan, values, type);
    if (v === '') continue;
    try {
      normalise(type, v);
    } catch (e) {
      if (e instanceof InvalidIdentifier) return { field: plan.column.get(type)!, reason: e.message };
      throw e;
    }
    identifiers.push({ type, value: v });
  }
  if (identifiers.length === 0)
    return {
      field: 'identifier',
      reason: `no identifier in this row (give one of ${CUSTOMER_IDENTIFIER_FIELDS.join(', ')})`,
    };
  const traits: Record<string, string> = {};
  for (const t of CUSTOMER_TRAIT_FIELDS) {
    let v = cell(plan, values, t);
    if (v === '') continue;
    if (v.length > 500) return { field: plan.column.get(t)!, reason: 'longer than 500 characters' };
    if (t === 'birthday') {
      const b = parseBirthday(v);
      if (!b) return { field: plan.column.get(t)!, reason: `${v} is not a date (YYYY-MM-DD, between 1900 and today)` };
      v = b;
    }
    if (t === 'gender') v = GENDERS[v.toLowerCase()] ?? v.toLowerCase();
    if (!isPersonalTrait(t) && contactDataIn(v)) {
      return {
        field: plan.column.get(t)!,
        reason: 'looks like a phone number or e-mail address (those go in the phone and email columns)',
      };
    }
    traits[t] = v;
  }
  return { identifiers, traits };
}

/** Imports customers from a CSV (or .csv.gz) file; see the module comment. */
export async function importCustomers(
  database: Database,
  keys: KeyRing,
  opts: CustomerImportOptions,
): Promise<CustomerImportResult> {
  const channel = opts.channel ?? 'pos';
  if (!(CHANNELS as readonly string[]).includes(channel))
    throw new ImportUsageError(`--channel must be one of ${CHANNELS.join(', ')}`);
  const csv = await openCsv(opts.file, { encoding: opts.encoding });
  let report: Report | null = null;
  let pool: BoundedPool | null = null;
  try {
    const plan = planColumns(
      csv.header,
      opts.maps ?? {},
      (f) => CUSTOMER_FIELDS.includes(f),
      CUSTOMER_FIELDS.join(', '),
    );
    if (!CUSTOMER_IDENTIFIER_FIELDS.some((f) => plan.index.has(f))) {
      throw new ImportUsageError(
        `no identifier column: name one ${CUSTOMER_IDENTIFIER_FIELDS.join(', ')} or rename one with --map column=field (columns: ${csv.header.join(', ')})`,
      );
    }
    report = new Report(opts.report ?? null);
    const rejects = report;
    pool = new BoundedPool(Math.max(1, opts.concurrency ?? (database.kind === 'postgres' ? 8 : 1)));
    const m = meter(opts.progress, csv);
    const stats = { rows: 0, imported: 0, created: 0, merges: 0 };
    for await (const rec of csv.records) {
      stats.rows++;
      m.tick(stats.rows);
      if (rec.values.length !== csv.header.length) {
        rejects.reject(
          rec.line,
          'columns',
          `${rec.values.length} fields where the header has ${csv.header.length} (an unquoted comma?)`,
        );
        continue;
      }
      const row = prepare(plan, rec.values);
      if ('reason' in row) {
        rejects.reject(rec.line, row.field, row.reason);
        continue;
      }
      await pool.run(async () => {
        try {
          const r = await identify(database, keys, { identifiers: row.identifiers, traits: row.traits, channel });
          stats.imported++;
          if (r.created) stats.created++;
          stats.merges += r.merged.length;
        } catch (e) {
          // What identify refuses (4xx) is the row's problem; anything else stops the import.
          if (!(e instanceof AppError) || e.status >= 500) throw e;
          const i = /^identifiers\[(\d+)\]/.exec(e.field ?? '');
          rejects.reject(
            rec.line,
            i ? plan.column.get(row.identifiers[Number(i[1])].type)! : (e.field ?? 'row'),
            e.message,
          );
        }
      });
    }
    await pool.drain();
    m.tick(stats.rows, true);
    return {
      ...stats,
      rejected: rejects.rejected,
      firstRejected: rejects.first,
      ignoredColumns: plan.ignored,
      report: rejects.file,
      ms: m.ms(),
      rowsPerSecond: m.rate(stats.rows),
    };
  } catch (e) {
    await pool?.drain().catch(() => {}); // let the rows in flight finish before the report closes
    throw e;
  } finally {
    report?.close();
    csv.close();
  }
}
