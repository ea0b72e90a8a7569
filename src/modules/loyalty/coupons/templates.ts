import './tables';
import type { Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import { CHANNELS, type Channel } from '../../../platform/auth/roles';
import type { Queryable } from '../../../platform/db/database';
import { notFound, unprocessable } from '../../../platform/http/errors';
import { newId } from '../../../platform/ids';
import { existingSkus } from '../../catalog/public';
import { existingLocationIds } from '../../locations/public';
import type { TemplateBody, TemplatePatch } from './schemas';
import { iso, type TemplateRow } from './scope';

export type TemplateInput = Static<typeof TemplateBody>;

/** Channels with the groups expanded: `online` = every channel but pos, `store` = pos. Stored as single channels. */
export function expandChannels(scopes: readonly string[]): Channel[] {
  const out = new Set<Channel>();
  for (const s of scopes) {
    if (s === 'online') {
      for (const c of CHANNELS) if (c !== 'pos') out.add(c);
    } else if (s === 'store') out.add('pos');
    else out.add(s as Channel);
  }
  return CHANNELS.filter((c) => out.has(c));
}

const bad = (message: string, field: string) => unprocessable('invalid_template', message, field);

/** Kind-specific and cross-field rules the schema cannot say; each error names its field. */
export async function validateTemplate(db: Queryable, t: TemplateInput): Promise<void> {
  const value = t.value ?? 0;
  switch (t.kind) {
    case 'amount_off':
      if (value < 1) throw bad('amount_off needs value: the fen taken off (at least 1)', 'value');
      if (t.cap !== undefined) throw bad('cap applies to percent_off only', 'cap');
      break;
    case 'percent_off':
      if (value < 1 || value > 100) throw bad('percent_off needs value: the percent off, 1..100 (10 = 9折)', 'value');
      break;
    case 'threshold':
      if (value < 1) throw bad('threshold needs value: the fen taken off (the Y of 满X减Y)', 'value');
      if (t.min_spend === undefined || t.min_spend <= value)
        throw bad('threshold needs min_spend (the X of 满X减Y) greater than value', 'min_spend');
      if (t.cap !== undefined) throw bad('cap applies to percent_off only', 'cap');
      break;
    case 'free_delivery':
    case 'gift':
      if (value !== 0) throw bad(`${t.kind} has no value (leave it out or 0)`, 'value');
      if (t.cap !== undefined) throw bad('cap applies to percent_off only', 'cap');
      break;
  }
  if (t.kind === 'gift') {
    if (!t.gift_sku) throw bad('gift needs gift_sku: the product given', 'gift_sku');
    if (!(await existingSkus(db, [t.gift_sku])).has(t.gift_sku)) throw bad(`no product ${t.gift_sku}`, 'gift_sku');
  } else if (t.gift_sku !== undefined) throw bad('gift_sku applies to gift only', 'gift_sku');

  const from = t.valid_from ? Date.parse(t.valid_from) : null;
  const to = t.valid_to ? Date.parse(t.valid_to) : null;
  if (from !== null && Number.isNaN(from)) throw bad('valid_from is not a date-time', 'valid_from');
  if (to !== null && Number.isNaN(to)) throw bad('valid_to is not a date-time', 'valid_to');
  if (from !== null && to !== null && to <= from) throw bad('valid_to must be after valid_from', 'valid_to');
  if (to === null && t.valid_days_after_claim === undefined)
    throw bad('give a validity: valid_from/valid_to, or valid_days_after_claim', 'valid_to');

  for (const [field, list] of [
    ['skus', t.skus],
    ['categories', t.categories],
    ['locations', t.locations],
  ] as const) {
    if (!list) continue;
    const dup = list.findIndex((x, i) => list.indexOf(x) !== i);
    if (dup >= 0) throw bad(`${list[dup]} is listed twice`, `${field}[${dup}]`);
  }
  if (t.skus) {
    const found = await existingSkus(db, t.skus);
    const i = t.skus.findIndex((s) => !found.has(s));
    if (i >= 0) throw bad(`no product ${t.skus[i]}`, `skus[${i}]`);
  }
  if (t.locations) {
    const found = await existingLocationIds(db, t.locations);
    const i = t.locations.findIndex((s) => !found.has(s));
    if (i >= 0) throw bad(`no location ${t.locations[i]}`, `locations[${i}]`);
  }
}

export async function createTemplate(db: Queryable, t: TemplateInput, now = new Date()): Promise<TemplateRow> {
  await validateTemplate(db, t);
  return db
    .insertInto('coupon_templates')
    .values({
      id: newId('cpt', now.getTime()),
      name: t.name,
      description: t.description ?? null,
      kind: t.kind,
      value: t.value ?? 0,
      cap: t.cap ?? null,
      min_spend: t.min_spend ?? 0,
      gift_sku: t.gift_sku ?? null,
      channels: expandChannels(t.channels),
      skus: t.skus ?? null,
      categories: t.categories ?? null,
      locations: t.locations ?? null,
      valid_from: t.valid_from ? new Date(t.valid_from) : null,
      valid_to: t.valid_to ? new Date(t.valid_to) : null,
      valid_days_after_claim: t.valid_days_after_claim ?? null,
      budget: t.budget ?? null,
      per_customer_limit: t.per_customer_limit ?? 1,
      stackable: t.stackable ?? false,
      restore_on_cancel: t.restore_on_cancel ?? true,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateTemplate(db: Queryable, id: string, p: Static<typeof TemplatePatch>): Promise<TemplateRow> {
  const t = await db.selectFrom('coupon_templates').selectAll().where('id', '=', id).executeTakeFirst();
  if (!t) throw notFound('coupon template', 'id');
  if (p.budget !== undefined && p.budget < t.issued)
    throw bad(`${t.issued} coupons are already issued: the budget cannot be lower`, 'budget');
  if (p.valid_to !== undefined && t.valid_from && Date.parse(p.valid_to) <= new Date(t.valid_from).getTime())
    throw bad('valid_to must be after valid_from', 'valid_to');
  const set = {
    ...(p.name !== undefined ? { name: p.name } : {}),
    ...(p.description !== undefined ? { description: p.description } : {}),
    ...(p.budget !== undefined ? { budget: p.budget } : {}),
    ...(p.valid_to !== undefined ? { valid_to: new Date(p.valid_to) } : {}),
    ...(p.status !== undefined ? { status: p.status } : {}),
    updated_at: new Date(),
  };
  // The budget is re-checked against the counter in the same statement, so a racing claim cannot slip under it.
  const row = await db
    .updateTable('coupon_templates')
    .set(set)
    .where('id', '=', id)
    .where((eb) => (p.budget !== undefined ? eb('issued', '<=', p.budget) : eb.val(true)))
    .returningAll()
    .executeTakeFirst();
  if (!row) throw bad('more coupons were issued meanwhile than the new budget allows', 'budget');
  return row;
}

export interface TemplateStats {
  redeemed: number;
  redemptions_by_channel: Record<string, number>;
  discount_total: number;
}

/** Redemptions that stand (not restored), per template and channel. */
async function statsOf(db: Queryable, ids: string[]): Promise<Map<string, TemplateStats>> {
  const out = new Map<string, TemplateStats>();
  if (ids.length === 0) return out;
  const rows = await sql<{ template_id: string; channel: string; n: string; amount: string }>`
    SELECT template_id, channel, count(*)::text AS n, coalesce(sum(amount), 0)::text AS amount FROM coupon_redemptions
    WHERE template_id = ANY(${ids}::text[]) AND restored_at IS NULL GROUP BY template_id, channel`.execute(db);
  for (const r of rows.rows) {
    const s = out.get(r.template_id) ?? { redeemed: 0, redemptions_by_channel: {}, discount_total: 0 };
    s.redeemed += Number(r.n);
    s.redemptions_by_channel[r.channel] = Number(r.n);
    s.discount_total += Number(r.amount);
    out.set(r.template_id, s);
  }
  return out;
}

export function templateView(t: TemplateRow, s: TemplateStats | undefined) {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    kind: t.kind,
    value: Number(t.value),
    cap: t.cap === null ? null : Number(t.cap),
    min_spend: Number(t.min_spend),
    gift_sku: t.gift_sku,
    channels: t.channels,
    skus: t.skus,
    categories: t.categories,
    locations: t.locations,
    valid_from: iso(t.valid_from),
    valid_to: iso(t.valid_to),
    valid_days_after_claim: t.valid_days_after_claim,
    budget: t.budget,
    per_customer_limit: t.per_customer_limit,
    stackable: t.stackable,
    restore_on_cancel: t.restore_on_cancel,
    status: t.status,
    issued: t.issued,
    redeemed: s?.redeemed ?? 0,
    redemptions_by_channel: s?.redemptions_by_channel ?? {},
    discount_total: s?.discount_total ?? 0,
    created_at: new Date(t.created_at).toISOString(),
  };
}
export type TemplateView = ReturnType<typeof templateView>;

export async function readTemplate(db: Queryable, id: string): Promise<TemplateView | null> {
  const t = await db.selectFrom('coupon_templates').selectAll().where('id', '=', id).executeTakeFirst();
  if (!t) return null;
  return templateView(t, (await statsOf(db, [id])).get(id));
}

/** Templates newest first, keyset-paginated on id (ids are time-ordered). */
export async function listTemplates(
  db: Queryable,
  q: { status?: 'active' | 'paused'; after?: string; limit: number },
): Promise<{ items: TemplateView[]; last: string | null; more: boolean }> {
  let query = db
    .selectFrom('coupon_templates')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.after) query = query.where('id', '<', q.after);
  const rows = await query.execute();
  const page = rows.slice(0, q.limit);
  const stats = await statsOf(
    db,
    page.map((t) => t.id),
  );
  return {
    items: page.map((t) => templateView(t, stats.get(t.id))),
    last: page.length ? page[page.length - 1].id : null,
    more: rows.length > q.limit,
  };
}
