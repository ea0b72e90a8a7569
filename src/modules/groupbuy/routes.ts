import { Type } from '@sinclair/typebox';
import { wantsCsv } from '../../platform/http/csv';
import { notFound } from '../../platform/http/errors';
import { Day, errors, Id } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { registerGroupBuy } from '../orders/public';
import { localDayHour } from '../../platform/nightly';
import { createCampaign, listCampaigns, readCampaign } from './campaigns';
import { leaderCommission } from './commission';
import { createLeader, listLeaders, readLeader, updateLeader } from './leaders';
import { pickupCsv, pickupList } from './pickups';
import {
  CampaignBody,
  CampaignSchema,
  CampaignSummary,
  CommissionSchema,
  LeaderBody,
  LeaderPatch,
  LeaderSchema,
  PickupSchema,
  ShipmentSchema,
} from './schemas';
import { receiveShipment, shipCampaign } from './shipments';
import { campaignTerms, releaseClaim } from './terms';

registerGroupBuy({ terms: campaignTerms, release: releaseClaim });

const organisers = ['admin', 'marketer'] as const;
const readers = ['admin', 'marketer', 'analyst', 'support', 'store_staff'] as const;
const IdParams = Type.Object({ id: Id });
const tags = ['group-buy'];

export const groupBuyRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.post(
    '/group-buy/leaders',
    {
      config: { roles: organisers, idempotent: true },
      schema: {
        tags,
        summary: 'Register a leader (团长): a customer with a pickup point and a commission (takes Idempotency-Key)',
        body: LeaderBody,
        response: { 201: LeaderSchema, ...errors(422) },
      },
    },
    async (req, reply) => reply.code(201).send(await createLeader(ctx, req.body)),
  );

  app.get(
    '/group-buy/leaders',
    {
      config: { roles: readers },
      schema: {
        tags,
        summary: "Leaders (store staff: their store's)",
        querystring: Type.Object({ location_id: Type.Optional(Id) }),
        response: { 200: Type.Object({ items: Type.Array(LeaderSchema) }) },
      },
    },
    async (req) => ({
      items: await listLeaders(
        db,
        req.principal.role === 'store_staff' ? (req.principal.locationId ?? '-') : req.query.location_id,
      ),
    }),
  );

  app.get(
    '/group-buy/leaders/:id',
    {
      config: { roles: readers },
      schema: { tags, summary: 'One leader', params: IdParams, response: { 200: LeaderSchema, ...errors(404) } },
    },
    async (req) => {
      const l = await readLeader(db, req.params.id);
      if (!l || (req.principal.role === 'store_staff' && l.location_id !== req.principal.locationId))
        throw notFound('leader', 'id');
      return l;
    },
  );

  app.patch(
    '/group-buy/leaders/:id',
    {
      config: { roles: organisers },
      schema: {
        tags,
        summary: "Change a leader's pickup point, commission (for orders placed from now on), name or status",
        params: IdParams,
        body: LeaderPatch,
        response: { 200: LeaderSchema, ...errors(404, 422) },
      },
    },
    async (req) => updateLeader(ctx, req.params.id, req.body),
  );

  app.get(
    '/group-buy/leaders/:id/commission',
    {
      config: { roles: ['admin', 'marketer', 'analyst'] },
      schema: {
        tags,
        summary: "A leader's monthly commission statement: collected orders, net sales, commission",
        params: IdParams,
        querystring: Type.Object({
          period: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' }),
        }),
        response: { 200: CommissionSchema, ...errors(404) },
      },
    },
    async (req) => {
      if (!(await readLeader(db, req.params.id))) throw notFound('leader', 'id');
      return leaderCommission(db, ctx.config.timezone, req.params.id, req.query.period);
    },
  );

  app.post(
    '/group-buy/campaigns',
    {
      config: { roles: organisers, idempotent: true },
      schema: {
        tags,
        summary:
          'Create a campaign: items at a channel price with limits, its hours, pickup day and source (takes Idempotency-Key)',
        description:
          'The price is the group-buy channel price of the item for the campaign, the same for every member (no coupons or points on group-buy orders).',
        body: CampaignBody,
        response: { 201: CampaignSchema, ...errors(422) },
      },
    },
    async (req, reply) => reply.code(201).send(await createCampaign(ctx, req.body)),
  );

  app.get(
    '/group-buy/campaigns',
    {
      config: { roles: readers },
      schema: {
        tags,
        summary: 'Campaigns, newest first, with their orders and sales',
        response: { 200: Type.Object({ items: Type.Array(CampaignSummary) }) },
      },
    },
    async () => ({ items: await listCampaigns(db) }),
  );

  app.get(
    '/group-buy/campaigns/:id',
    {
      config: { roles: readers },
      schema: {
        tags,
        summary: 'A campaign: sold/limit per item, sales and shipment per pickup point, a share link per leader',
        params: IdParams,
        response: { 200: CampaignSchema, ...errors(404) },
      },
    },
    async (req) => {
      const c = await readCampaign(ctx, req.params.id);
      if (!c) throw notFound('campaign', 'id');
      return c;
    },
  );

  app.post(
    '/group-buy/campaigns/:id/ship',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Apply the cutoff now and ship (done by itself at the cutoff): one transfer per pickup point',
        params: IdParams,
        response: { 200: CampaignSchema, ...errors(404) },
      },
    },
    async (req) => {
      if (!(await shipCampaign(ctx, req.params.id))) throw notFound('campaign', 'id');
      return (await readCampaign(ctx, req.params.id))!;
    },
  );

  app.post(
    '/group-buy/campaigns/:id/receipts',
    {
      config: { roles: ['admin', 'store_staff'], idempotent: true },
      schema: {
        tags,
        summary:
          'A pickup point confirms its shipment arrived: units into its stock, held for the orders, which become ready for pickup (takes Idempotency-Key)',
        params: IdParams,
        body: Type.Object(
          { location_id: Id },
          { additionalProperties: false, examples: [{ location_id: 'st-renmin' }] },
        ),
        response: { 201: ShipmentSchema, ...errors(404, 409) },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await receiveShipment(ctx, req.principal, req.params.id, req.body.location_id)),
  );

  app.get(
    '/group-buy/pickups',
    {
      config: { roles: ['admin', 'support', 'store_staff'] },
      schema: {
        tags,
        summary: "A pickup point's hand-over list for a day (Accept: text/csv: CSV, without names)",
        querystring: Type.Object({
          location_id: Id,
          date: Type.Optional(Day("the pickup day; today (retailer's time zone) when absent")),
        }),
        response: { 200: Type.Object({ items: Type.Array(PickupSchema) }), ...errors(403) },
      },
    },
    async (req, reply) => {
      const day = req.query.date ?? localDayHour(new Date(), ctx.config.timezone).day;
      const items = await pickupList(ctx, req.principal, req.query.location_id, day);
      if (!wantsCsv(req.headers.accept)) return { items };
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="pickups-${req.query.location_id}-${day}.csv"`)
        .send(pickupCsv(items) as never);
    },
  );
};
