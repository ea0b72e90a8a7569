/** Date ranges of the customer and store panels: today in the retailer's time zone and presets ending today. */
export type RangePreset = '30d' | '90d' | '6m' | '12m';
export const RANGE_PRESETS: RangePreset[] = ['30d', '90d', '6m', '12m'];

export function todayIn(timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

function minusDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - n * 86400_000).toISOString().slice(0, 10);
}

/** The first day of the month `months` before today's (6m: five whole months and this one so far). */
function monthsBack(day: string, months: number): string {
  const d = new Date(Date.parse(`${day.slice(0, 7)}-01T00:00:00Z`));
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months + 1, 1)).toISOString().slice(0, 10);
}

export function rangeOf(preset: RangePreset, today: string): { from: string; to: string } {
  switch (preset) {
    case '30d':
      return { from: minusDays(today, 29), to: today };
    case '90d':
      return { from: minusDays(today, 89), to: today };
    case '6m':
      return { from: monthsBack(today, 6), to: today };
    case '12m':
      return { from: monthsBack(today, 12), to: today };
  }
}

/** Days in [from, to]. */
export function daysIn(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400_000) + 1;
}
