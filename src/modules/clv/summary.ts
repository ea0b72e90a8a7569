/**
 * Transactions → the per-customer summary the lifetime-value models take, as the literature defines
 * it: purchases on one calendar day count as one (their amounts add up); x = repeat purchase days up
 * to the calibration end (inclusive); t_x and T from the first purchase day to the last one and to
 * the calibration end; the mean value is over the repeat purchase days only (the first is left out).
 */
import type { Rfm } from './bgnbd';
import type { Spend } from './gamma-gamma';

export interface Transaction {
  customer: string;
  /** Calendar day YYYY-MM-DD, already in the retailer's time zone. */
  day: string;
  amount: number;
}

export type TimeUnit = 'week' | 'day';

export interface CustomerSummary extends Rfm, Spend {
  customer: string;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a YYYY-MM-DD date, or null if it is no real date. */
export function dayNumber(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2025-02-30 over to March: a round trip catches it.
  return new Date(ms).toISOString().slice(0, 10) === day ? ms / DAY_MS : null;
}

export function summarise(
  transactions: Iterable<Transaction>,
  calibrationEnd: string,
  timeUnit: TimeUnit = 'week',
): CustomerSummary[] {
  const end = dayNumber(calibrationEnd);
  if (end === null) throw new RangeError(`calibration end ${calibrationEnd} is not a YYYY-MM-DD date`);
  const perCustomer = new Map<string, Map<number, number>>();
  for (const t of transactions) {
    const day = dayNumber(t.day);
    if (day === null) throw new RangeError(`${t.day} is not a YYYY-MM-DD date`);
    if (day > end) continue;
    let days = perCustomer.get(t.customer);
    if (!days) perCustomer.set(t.customer, (days = new Map()));
    days.set(day, (days.get(day) ?? 0) + t.amount);
  }
  const unit = timeUnit === 'week' ? 7 : 1;
  const out: CustomerSummary[] = [];
  for (const [customer, days] of perCustomer) {
    const sorted = [...days.keys()].sort((a, b) => a - b);
    const first = sorted[0];
    const repeat = sorted.slice(1);
    const repeatValue = repeat.reduce((s, d) => s + days.get(d)!, 0);
    out.push({
      customer,
      frequency: repeat.length,
      recency: (sorted[sorted.length - 1] - first) / unit,
      T: (end - first) / unit,
      monetary: repeat.length ? repeatValue / repeat.length : 0,
    });
  }
  return out;
}
