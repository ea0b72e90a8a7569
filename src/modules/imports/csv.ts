import fs from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { parse } from 'csv-parse';
import type { Progress } from '../../demo/seed';

/**
 * The plumbing of `santong import`: a streaming CSV reader (plain or gzip, any size, with
 * backpressure), the header-to-field mapping of --map, the report of rejected rows, a progress
 * meter and a bounded pool for work done per row.
 */

/** A mistake in how the import was asked for (file, header, --map): nothing was imported. */
export class ImportUsageError extends Error {}

/** The file cannot be read on from some point (malformed CSV, corrupt gzip, wrong encoding): what came before it was imported. */
export class ImportFileError extends Error {}

export interface CsvRecord {
  /** The file's line the record ends on (the header is line 1): what the report calls its row. */
  line: number;
  values: string[];
}

export interface CsvFile {
  /** Column names of the first line, trimmed. */
  header: string[];
  /** The records after the header, read as they are consumed. */
  records: AsyncIterable<CsvRecord>;
  /** Bytes of the file read so far (compressed bytes for a .gz file), and its size: for progress. */
  bytesRead(): number;
  size: number;
  close(): void;
}

/** Largest accepted record: a runaway quote fails here instead of reading the rest of the file into one field. */
const MAX_RECORD_BYTES = 1 << 20;

function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    return fs.readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** Decodes the file's bytes (UTF-8 by default, strictly, so a GBK export from Excel is named, not garbled) to UTF-8. */
function decoder(encoding: string): Transform {
  let dec: TextDecoder;
  try {
    dec = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new ImportUsageError(`unknown encoding ${encoding} (e.g. utf-8, gb18030, gbk, big5)`);
  }
  const utf8 = dec.encoding === 'utf-8';
  const fail = () =>
    new ImportFileError(
      utf8
        ? 'the file is not valid UTF-8; if it was saved by Excel in Chinese, add --encoding gb18030'
        : `the file is not valid ${encoding}`,
    );
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      try {
        const text = dec.decode(chunk, { stream: true });
        cb(null, utf8 ? chunk : Buffer.from(text, 'utf8'));
      } catch {
        cb(fail());
      }
    },
    flush(cb: TransformCallback) {
      try {
        const text = dec.decode();
        cb(null, text ? Buffer.from(text, 'utf8') : undefined);
      } catch {
        cb(fail());
      }
    },
  });
}

/**
 * Opens a CSV file (gzip when it starts with the gzip magic bytes) and reads its header. Quoted
 * fields may hold commas, quotes ("") and line breaks; a UTF-8 BOM is dropped; empty lines are
 * skipped. A malformed file (an unclosed quote, invalid text) stops the read with an error naming
 * the line; what was imported before it stays, and a re-run after fixing the file carries on.
 */
export async function openCsv(file: string, opts: { encoding?: string } = {}): Promise<CsvFile> {
  let size: number;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new ImportUsageError(`${file} is not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof ImportUsageError) throw e;
    throw new ImportUsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const gz = size >= 2 && isGzip(file);
  const encoding = opts.encoding ?? 'utf-8';
  let read = 0;
  const source = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  const counter = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      read += chunk.length;
      cb(null, chunk);
    },
  });
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  const stages: NodeJS.ReadWriteStream[] = [counter];
  if (gz) stages.push(zlib.createGunzip());
  stages.push(decoder(encoding));
  // pipeline destroys every stage on an error, so the parser's iterator below throws it.
  pipeline([source, ...stages, parser], () => {});
  const it = (parser as AsyncIterable<{ record: string[]; info: { lines: number } }>)[Symbol.asyncIterator]();
  const first = await next(it);
  if (first.done) {
    parser.destroy();
    throw new ImportUsageError(`${file} is empty: the first line must name the columns`);
  }
  const header = first.value.record.map((h) => h.trim());
  async function* records(): AsyncGenerator<CsvRecord> {
    for (;;) {
      const r = await next(it);
      if (r.done) return;
      yield { line: r.value.info.lines, values: r.value.record };
    }
  }
  return { header, records: records(), bytesRead: () => read, size, close: () => parser.destroy() };
}

async function next<T>(it: AsyncIterator<T>): Promise<IteratorResult<T>> {
  try {
    return await it.next();
  } catch (e) {
    const err = e as Error & { lines?: number; code?: string };
    const where = err.lines ? `line ${err.lines}: ` : '';
    if (err instanceof ImportFileError) throw err;
    if (err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR')
      throw new ImportFileError(`the gzip data is corrupt or truncated (${err.message})`);
    if (typeof err.code === 'string' && err.code.startsWith('CSV_'))
      throw new ImportFileError(`malformed CSV: ${where}${err.message}`);
    throw err;
  }
}

/** `--map Mobile=phone` → {Mobile: 'phone'}; the last `=` separates them, so a column name may hold one. */
export function parseMaps(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of list ?? []) {
    const at = m.lastIndexOf('=');
    if (at <= 0 || at === m.length - 1) throw new ImportUsageError(`--map ${m}: write it as column=field`);
    out[m.slice(0, at).trim()] = m.slice(at + 1).trim();
  }
  return out;
}

export interface ColumnPlan {
  /** field → its column's index in a record. */
  index: Map<string, number>;
  /** field → the file's column name, for the report (what the retailer sees in their file). */
  column: Map<string, string>;
  /** Columns of the file that feed no field. */
  ignored: string[];
}

/**
 * Which column feeds which field: a column named like a field (case-insensitive) feeds it, and
 * `--map column=field` renames. Unknown fields, missing columns and two columns for one field are
 * usage errors.
 */
export function planColumns(
  header: string[],
  maps: Record<string, string>,
  isField: (f: string) => boolean,
  fieldList: string,
): ColumnPlan {
  const byName = new Map<string, number[]>();
  header.forEach((h, i) => {
    for (const key of [h, h.toLowerCase()]) {
      const list = byName.get(key) ?? [];
      if (!list.includes(i)) list.push(i);
      byName.set(key, list);
    }
  });
  const mappedIdx = new Map<number, string>();
  for (const [col, field] of Object.entries(maps)) {
    if (!isField(field))
      throw new ImportUsageError(`--map ${col}=${field}: unknown field ${field} (fields: ${fieldList})`);
    const hits = byName.get(col) ?? byName.get(col.toLowerCase()) ?? [];
    if (hits.length === 0)
      throw new ImportUsageError(
        `--map ${col}=${field}: the file has no column ${col} (columns: ${header.join(', ')})`,
      );
    if (hits.length > 1)
      throw new ImportUsageError(`--map ${col}=${field}: the file has ${hits.length} columns named ${col}`);
    mappedIdx.set(hits[0], field);
  }
  const plan: ColumnPlan = { index: new Map(), column: new Map(), ignored: [] };
  header.forEach((h, i) => {
    const field =
      mappedIdx.get(i) ??
      (isField(h.toLowerCase()) && !Object.values(maps).includes(h.toLowerCase()) ? h.toLowerCase() : undefined);
    if (!field) {
      plan.ignored.push(h);
      return;
    }
    if (plan.index.has(field))
      throw new ImportUsageError(
        `columns ${plan.column.get(field)} and ${h} both give ${field}; rename one with --map`,
      );
    plan.index.set(field, i);
    plan.column.set(field, h);
  });
  return plan;
}

/** The value of a field in a record, trimmed; '' when the column is absent or empty. */
export function cell(plan: ColumnPlan, values: string[], field: string): string {
  const i = plan.index.get(field);
  return i === undefined ? '' : (values[i] ?? '').trim();
}

/**
 * Rejected rows, one line each: `row N: field: reason`, written to the report file as they come
 * (buffered, flat memory) and kept in memory only for the first few, to print.
 */
export class Report {
  rejected = 0;
  readonly first: string[] = [];
  private fd: number | null = null;
  private buf = '';

  constructor(
    readonly file: string | null,
    private readonly keep = 20,
  ) {
    if (file) {
      try {
        this.fd = fs.openSync(file, 'w');
      } catch (e) {
        throw new ImportUsageError(`cannot write the report ${file}: ${(e as Error).message}`);
      }
    }
  }

  reject(line: number, field: string, reason: string): void {
    const text = `row ${line}: ${field}: ${reason}`;
    this.rejected++;
    if (this.first.length < this.keep) this.first.push(text);
    if (this.fd !== null) {
      this.buf += text + '\n';
      if (this.buf.length > 64 * 1024) this.flush();
    }
  }

  private flush(): void {
    if (this.fd !== null && this.buf) fs.writeSync(this.fd, this.buf);
    this.buf = '';
  }

  close(): void {
    this.flush();
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** Reports progress at most every 200 ms: kilobytes of the file read, rows and rows per second. */
export function meter(
  progress: Progress | undefined,
  csv: CsvFile,
): { tick(rows: number, force?: boolean): void; rate(rows: number): number; ms(): number } {
  const started = Date.now();
  let last = 0;
  const rate = (rows: number) => {
    const s = (Date.now() - started) / 1000;
    return s > 0 ? Math.round(rows / s) : rows;
  };
  return {
    tick(rows, force = false) {
      if (!progress) return;
      const now = Date.now();
      if (!force && now - last < 200) return;
      last = now;
      const total = Math.max(1, Math.ceil(csv.size / 1024));
      const done = force ? total : Math.min(total, Math.floor(csv.bytesRead() / 1024));
      progress(done, total, `KB · ${rows.toLocaleString('en')} rows · ${rate(rows).toLocaleString('en')} rows/s`);
    },
    rate,
    ms: () => Date.now() - started,
  };
}

/**
 * Runs async work with at most `limit` in flight. `run` waits for a free slot (backpressure for
 * the reader); the first error thrown by any task is rethrown by the next `run` or by `drain`.
 */
export class BoundedPool {
  private readonly inFlight = new Set<Promise<void>>();
  private error: unknown = null;

  constructor(private readonly limit: number) {}

  async run(task: () => Promise<void>): Promise<void> {
    while (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
    if (this.error) throw this.error;
    const p: Promise<void> = task()
      .catch((e: unknown) => {
        this.error ??= e;
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
    if (this.error) throw this.error;
  }
}
