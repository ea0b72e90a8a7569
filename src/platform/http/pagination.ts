import { badRequest } from './errors';
import { unstorableText } from './validation';

/** Opaque keyset cursors: base64url of the last row's sort key. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** What one part of a sort key must be: any storable string or number, a date-time, an integer or a string. */
export type CursorPart = 'any' | 'time' | 'int' | 'string';

const partOk: Record<CursorPart, (v: unknown) => boolean> = {
  any: (v) =>
    (typeof v === 'string' && v.length <= 200 && unstorableText(v) === null) ||
    (typeof v === 'number' && Number.isFinite(v)),
  time: (v) =>
    typeof v === 'string' &&
    v.length <= 40 &&
    /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(v) &&
    Number.isFinite(Date.parse(v)),
  int: (v) => typeof v === 'number' && Number.isSafeInteger(v),
  string: (v) => typeof v === 'string' && v.length <= 200 && unstorableText(v) === null,
};

/**
 * The sort key of a cursor, or null without one. A cursor that is not ours (bad base64 or JSON,
 * wrong arity, a part of the wrong kind, text PostgreSQL cannot take) is a 400 naming `cursor`,
 * never a database error.
 */
export function decodeCursor(cursor: string | undefined, arity: number, shape?: CursorPart[]): unknown[] | null {
  if (!cursor) return null;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // reported below
  }
  if (Array.isArray(v) && v.length === arity && v.every((x, i) => partOk[shape?.[i] ?? 'any'](x))) return v;
  throw badRequest('cursor is not valid', 'cursor');
}

/** Splits the limit+1 fetched rows into a page and the cursor of the next one. */
export function page<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => unknown[],
): { items: T[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, next_cursor: rows.length > limit ? encodeCursor(keyOf(items[items.length - 1])) : null };
}
