import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { notFound, unprocessable } from '../../platform/http/errors';
import { localDayHour } from '../../platform/nightly';
import { existingStoreIds } from '../locations/public';

export interface FootfallCount {
  from: string;
  to: string;
  count: number;
  source: string;
}

/**
 * Records a people counter's count for [from, to), which must lie within one hour of the
 * retailer's clock (the scorecard counts visitors per hour). The same (store, from, to, source)
 * again replaces the count, so a counter may resend or correct it: `replaced` says so.
 */
export async function recordFootfall(
  db: Queryable,
  tz: string,
  location: string,
  c: FootfallCount,
): Promise<FootfallCount & { location_id: string; replaced: boolean }> {
  const from = new Date(c.from);
  const to = new Date(c.to);
  if (to <= from) throw unprocessable('footfall_interval', 'to must be after from', 'to');
  const [a, b] = [localDayHour(from, tz), localDayHour(new Date(to.getTime() - 1), tz)];
  if (a.day !== b.day || a.hour !== b.hour || to.getTime() - from.getTime() > 3_600_000)
    throw unprocessable('footfall_interval', 'from and to must lie within one hour', 'to');
  if (!(await existingStoreIds(db, [location])).has(location)) throw notFound('store', 'id');
  const r = await sql<{ inserted: boolean }>`
    INSERT INTO store_footfall (location_id, from_at, to_at, source, count)
    VALUES (${location}, ${from.toISOString()}::timestamptz, ${to.toISOString()}::timestamptz, ${c.source}, ${c.count})
    ON CONFLICT (location_id, from_at, to_at, source) DO UPDATE SET count = excluded.count, received_at = now()
    RETURNING (xmax = 0) AS inserted`.execute(db);
  return {
    location_id: location,
    from: from.toISOString(),
    to: to.toISOString(),
    count: c.count,
    source: c.source,
    replaced: !r.rows[0]!.inserted,
  };
}

const inDays = (from: string, to: string, tz: string) => sql`
  f.from_at >= (${from}::date::timestamp AT TIME ZONE ${tz}) AND f.from_at < ((${to}::date + 1)::timestamp AT TIME ZONE ${tz})`;

/** Visitors counted at these stores on the retailer's days [from, to]: stores with no count are absent. */
export async function footfallOf(
  db: Queryable,
  tz: string,
  ids: string[],
  from: string,
  to: string,
): Promise<Map<string, number>> {
  const r = await sql<{ location_id: string; n: string }>`
    SELECT f.location_id, sum(f.count)::text AS n FROM store_footfall f
    WHERE f.location_id = ANY(${ids}::text[]) AND ${inDays(from, to, tz)}
    GROUP BY 1`.execute(db);
  return new Map(r.rows.map((x) => [x.location_id, Number(x.n)]));
}

/** Visitors counted at a store on the retailer's days [from, to] by hour of the day (0–23), hours with none absent. */
export async function footfallByHour(
  db: Queryable,
  tz: string,
  id: string,
  from: string,
  to: string,
): Promise<Map<number, number>> {
  const r = await sql<{ hour: number; n: string }>`
    SELECT extract(hour FROM f.from_at AT TIME ZONE ${tz})::int AS hour, sum(f.count)::text AS n
    FROM store_footfall f WHERE f.location_id = ${id} AND ${inDays(from, to, tz)}
    GROUP BY 1`.execute(db);
  return new Map(r.rows.map((x) => [Number(x.hour), Number(x.n)]));
}
