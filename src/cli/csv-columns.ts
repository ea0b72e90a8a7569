import { ImportUsageError, type CsvFile } from '../modules/imports/csv';

/** The position of column `name` in the file's header; an unknown name is a usage error naming the `--option`. */
export function columnIndex(csv: CsvFile, file: string, name: string, option: string): number {
  const i = csv.header.indexOf(name);
  if (i < 0) {
    csv.close();
    throw new ImportUsageError(`--${option}: no column ${name} in ${file} (columns: ${csv.header.join(', ')})`);
  }
  return i;
}

/**
 * The calendar day as written — YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD, optionally followed by a
 * time — as YYYY-MM-DD text (not checked to exist: the caller's day arithmetic does), or null.
 */
export function writtenDay(raw: string): string | null {
  const m = /^(\d{4})[-/]?(\d{2})[-/]?(\d{2})(?:$|[T ])/.exec(raw.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}
