import crypto from 'node:crypto';

/** Values of an order-history CSV: order numbers, money, timestamps. */

const ID_OK = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The Santong id of an imported order: `imp_` + its number when that is a clean id, else a sanitised form plus a hash. */
export function importedOrderId(external: string): string {
  if (ID_OK.test(external)) return 'imp_' + external;
  const clean = external.replace(/[^A-Za-z0-9_.:-]+/g, '-').slice(0, 48);
  return `imp_${clean}_${crypto.createHash('sha256').update(external).digest('hex').slice(0, 10)}`;
}

/** Money in fen: an integer, or with money=yuan a decimal with at most two places, converted without floating point. */
export function parseMoney(v: string, money: 'fen' | 'yuan'): number | string {
  if (money === 'fen') {
    if (!/^\d+$/.test(v))
      return /^-/.test(v)
        ? 'is negative'
        : /^\d*\.\d+$/.test(v)
          ? `${v} is not a whole number of fen (add --money yuan for decimal amounts)`
          : `${v} is not an amount in fen`;
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : 'is too large';
  }
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(v);
  if (!m)
    return /^-/.test(v)
      ? 'is negative'
      : /^\d*\.\d{3,}$/.test(v)
        ? `${v} has more than two decimal places`
        : `${v} is not an amount`;
  const n = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(n) ? n : 'is too large';
}

const dtfCache = new Map<string, Intl.DateTimeFormat>();
function offsetMs(utcMs: number, timeZone: string): number {
  let f = dtfCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    dtfCache.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const local = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return local - Math.floor(utcMs / 1000) * 1000;
}

/**
 * placed_at: ISO 8601 `YYYY-MM-DD[ T]HH:MM[:SS[.fff]]` with `Z` or an offset, or without one in
 * `timeZone`; `/` may separate the date; a date alone is midnight.
 */
export function parseTimestamp(v: string, timeZone: string): Date | null {
  const m =
    /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      v,
    );
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(wall);
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  )
    return null;
  if (m[8]) {
    if (m[8].toUpperCase() === 'Z') return new Date(wall);
    const sign = m[8][0] === '-' ? -1 : 1;
    const digits = m[8].slice(1).replace(':', '');
    return new Date(wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60000);
  }
  // Local wall time in the zone: correct the guess by the zone's offset, twice around a DST change.
  let t = wall - offsetMs(wall, timeZone);
  const again = wall - offsetMs(t, timeZone);
  if (again !== t) t = again;
  return new Date(t);
}
