import type { Lang } from './i18n';

/** Groups the digits of a non-negative integer string in threes: 3141839 → 3,141,839. */
function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Money in fen (integer minor units) as yuan: 314183960 → ¥3,141,839.60. */
export function formatFen(fen: number): string {
  if (!Number.isFinite(fen)) return '—';
  const whole = Math.round(fen);
  const abs = Math.abs(whole);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${whole < 0 ? '-' : ''}¥${group(String(yuan))}.${String(cents).padStart(2, '0')}`;
}

/** A short money figure for chart axes: ¥1.2万 / ¥12K. */
export function formatFenShort(fen: number, lang: Lang): string {
  const yuan = fen / 100;
  const trim = (n: number) => String(Number(n.toFixed(1)));
  if (lang === 'zh-CN') {
    if (Math.abs(yuan) >= 1e8) return `¥${trim(yuan / 1e8)}亿`;
    if (Math.abs(yuan) >= 1e4) return `¥${trim(yuan / 1e4)}万`;
    return `¥${trim(yuan)}`;
  }
  if (Math.abs(yuan) >= 1e6) return `¥${trim(yuan / 1e6)}M`;
  if (Math.abs(yuan) >= 1e3) return `¥${trim(yuan / 1e3)}K`;
  return `¥${trim(yuan)}`;
}

/** A count with thousands separators: 1067 → 1,067. */
export function formatInt(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const r = Math.round(n);
  return (r < 0 ? '-' : '') + group(String(Math.abs(r)));
}

/** A fraction as a percentage with one decimal: 0.4883 → 48.8%. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(1)}%`;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** An ISO timestamp in the viewer's time zone, e.g. 2026-11-26 19:33. */
export function formatDateTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  let f = dateTimeFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'en' ? 'en-CA' : 'zh-CN', {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    dateTimeFormats.set(lang, f);
  }
  const parts = Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}`;
}

/** YYYY-MM-DD → MM-DD for chart labels. */
export function shortDate(isoDate: string): string {
  return isoDate.slice(5);
}

/** Every calendar date from `from` to `to` inclusive (both YYYY-MM-DD). */
export function dateRange(from: string, to: string): string[] {
  const out: string[] = [];
  const start = Date.parse(from + 'T00:00:00Z');
  const end = Date.parse(to + 'T00:00:00Z');
  if (Number.isNaN(start) || Number.isNaN(end)) return out;
  for (let t = start; t <= end && out.length < 400; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/**
 * Store names are bilingual ("世纪公园店 Century Park"): the Chinese part for zh-CN, the rest for English.
 * A name without both parts is returned whole.
 */
export function localName(name: string, lang: Lang): string {
  const m = /^([^\x20-\x7e]+)\s+(.*[A-Za-z].*)$/.exec(name.trim());
  if (!m) return name;
  return lang === 'en' ? m[2] : m[1];
}
