import { sql, type Selectable } from 'kysely';
import type { Static } from '@sinclair/typebox';
import type { Queryable } from '../../platform/db/database';
import type { AppContext } from '../../platform/http/context';
import { notFound, unprocessable } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { customerRoots } from '../customers/public';
import type { LeaderBody, LeaderPatch } from './schemas';
import type { GroupbuyLeadersTable } from './tables';

export type LeaderView = {
  id: string;
  customer_id: string;
  location_id: string;
  display_name: string;
  commission_percent: number;
  status: string;
  created_at: string;
};

const bp = (percent: number) => Math.round(percent * 100);

export function leaderView(r: Selectable<GroupbuyLeadersTable>): LeaderView {
  return {
    id: r.id,
    customer_id: r.customer_id,
    location_id: r.location_id,
    display_name: r.display_name,
    commission_percent: r.commission_bp / 100,
    status: r.status,
    created_at: r.created_at.toISOString(),
  };
}

async function checkLocation(ctx: AppContext, id: string): Promise<void> {
  if (!(await ctx.locationExists(ctx.database.db, id)))
    throw unprocessable('unknown_location', `location ${id} does not exist`, 'location_id');
}

export async function createLeader(ctx: AppContext, body: Static<typeof LeaderBody>): Promise<LeaderView> {
  const db = ctx.database.db;
  await checkLocation(ctx, body.location_id);
  const customer = await sql<{ erased: boolean }>`
    SELECT c.erased_at IS NOT NULL AS erased FROM ${customerRoots} c WHERE c.id = ${body.customer_id}`.execute(db);
  if (!customer.rows[0] || customer.rows[0].erased)
    throw unprocessable('unknown_customer', `no customer ${body.customer_id}`, 'customer_id');
  const row = await db
    .insertInto('groupbuy_leaders')
    .values({
      id: newId('gbl'),
      customer_id: body.customer_id,
      location_id: body.location_id,
      display_name: body.display_name,
      commission_bp: bp(body.commission_percent),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return leaderView(row);
}

export async function updateLeader(
  ctx: AppContext,
  id: string,
  patch: Static<typeof LeaderPatch>,
): Promise<LeaderView> {
  if (patch.location_id) await checkLocation(ctx, patch.location_id);
  const row = await ctx.database.db
    .updateTable('groupbuy_leaders')
    .set({
      ...(patch.location_id !== undefined && { location_id: patch.location_id }),
      ...(patch.display_name !== undefined && { display_name: patch.display_name }),
      ...(patch.commission_percent !== undefined && { commission_bp: bp(patch.commission_percent) }),
      ...(patch.status !== undefined && { status: patch.status }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound('leader', 'id');
  return leaderView(row);
}

export async function readLeader(db: Queryable, id: string): Promise<LeaderView | null> {
  const row = await db.selectFrom('groupbuy_leaders').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? leaderView(row) : null;
}

export async function listLeaders(db: Queryable, locationId: string | undefined): Promise<LeaderView[]> {
  let q = db.selectFrom('groupbuy_leaders').selectAll().orderBy('created_at').orderBy('id').limit(1000);
  if (locationId) q = q.where('location_id', '=', locationId);
  return (await q.execute()).map(leaderView);
}
