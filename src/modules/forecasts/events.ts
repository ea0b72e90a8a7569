import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { unprocessable } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import type { ForecastEventKind } from './tables';

/** The retailer-editable calendar of known demand events a forecast run multiplies in. */

export interface ForecastEventInput {
  name: string;
  kind: ForecastEventKind;
  starts_on: string;
  ends_on: string;
  uplift: number;
  sku?: string | null;
  location_id?: string | null;
}

export interface ForecastEventView extends Required<ForecastEventInput> {
  id: string;
  created_at: string;
}

const COLUMNS = [
  'id',
  'name',
  'kind',
  sql<string>`starts_on::text`.as('starts_on'),
  sql<string>`ends_on::text`.as('ends_on'),
  'uplift',
  'sku',
  'location_id',
  'created_at',
] as const;

const view = (r: Omit<ForecastEventView, 'created_at'> & { created_at: Date }): ForecastEventView => ({
  ...r,
  created_at: r.created_at.toISOString(),
});

function checkDates(e: ForecastEventInput): void {
  if (e.ends_on < e.starts_on) throw unprocessable('invalid_event_dates', 'ends_on is before starts_on', 'ends_on');
}

export async function createForecastEvent(db: Queryable, e: ForecastEventInput): Promise<ForecastEventView> {
  checkDates(e);
  const row = await db
    .insertInto('forecast_events')
    .values({ id: newId('fev'), ...e, sku: e.sku ?? null, location_id: e.location_id ?? null })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return view(row);
}

/** Replaces an event's fields; null when there is no such event. */
export async function updateForecastEvent(
  db: Queryable,
  id: string,
  e: ForecastEventInput,
): Promise<ForecastEventView | null> {
  checkDates(e);
  const row = await db
    .updateTable('forecast_events')
    .set({ ...e, sku: e.sku ?? null, location_id: e.location_id ?? null })
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirst();
  return row ? view(row) : null;
}

/** Events overlapping [from, to] (either open), by start day. */
export async function listForecastEvents(
  db: Queryable,
  q: { from?: string; to?: string; sku?: string },
): Promise<ForecastEventView[]> {
  let query = db.selectFrom('forecast_events').select(COLUMNS).orderBy('starts_on').orderBy('id').limit(1000);
  if (q.from) query = query.where('ends_on', '>=', q.from);
  if (q.to) query = query.where('starts_on', '<=', q.to);
  if (q.sku) query = query.where((eb) => eb.or([eb('sku', 'is', null), eb('sku', '=', q.sku!)]));
  return (await query.execute()).map(view);
}

/** Deletes an event; whether it existed. */
export async function deleteForecastEvent(db: Queryable, id: string): Promise<boolean> {
  const r = await db.deleteFrom('forecast_events').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
