import { Type } from '@sinclair/typebox';
import type { Principal, Role } from '../../platform/auth/roles';
import { csvLine, wantsCsv } from '../../platform/http/csv';
import { forbidden, unprocessable } from '../../platform/http/errors';
import { Day, errors, Id, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { listLocations } from '../locations/public';
import { campaignStockUp } from './campaign';
import { getPolicy, setPolicy } from './policy';
import { transferSuggestions } from './rebalance';
import { REASON_CODES, suggestionsFor, type SuggestionList } from './suggestions';

const readers: Role[] = ['admin', 'analyst', 'store_staff'];
const Days = (description: string) => Type.Integer({ minimum: 0, maximum: 365, description });
const Times = Type.Object(
  {
    lead_time_days: Days('days from ordering to the goods on the shelf'),
    review_period_days: Type.Integer({ minimum: 1, maximum: 365, description: 'days between two orders' }),
  },
  { additionalProperties: false },
);
const PolicySchema = Type.Object(
  {
    service_level: Type.Number({
      minimum: 0.5,
      maximum: 0.999,
      description: 'the chance of not running out before the next delivery (safety stock = z × forecast sd)',
    }),
    sources: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,100}$' }), Times, {
      description: 'per source: a DC location id, or `supplier` (what DCs buy from)',
    }),
    default_source: Times,
    rebalance: Type.Object(
      {
        donor_cover_days: Type.Integer({ minimum: 1, maximum: 365 }),
        max_km: Type.Number({ minimum: 0, maximum: 5000 }),
        lead_time_days: Days('store-to-store transfer time'),
      },
      { additionalProperties: false },
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        service_level: 0.95,
        sources: {
          supplier: { lead_time_days: 7, review_period_days: 7 },
          dc1: { lead_time_days: 2, review_period_days: 7 },
        },
        default_source: { lead_time_days: 2, review_period_days: 7 },
        rebalance: { donor_cover_days: 28, max_km: 15, lead_time_days: 1 },
      },
    ],
  },
);

const Demand = Type.Object({ mean: Type.Number(), sd: Type.Number() });
const SuggestionSchema = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  case_pack: Type.Integer(),
  on_hand: Type.Integer(),
  reserved: Type.Integer(),
  in_transit: Type.Integer(),
  on_order: Type.Integer({ description: 'requested by transfers not yet shipped' }),
  position: Type.Integer({ description: 'on_hand − reserved + in_transit + on_order' }),
  forecast: Type.Union([Demand, Type.Null()], {
    description: 'forecast units over lead time + review period and the sd of that sum (null: no forecast)',
  }),
  safety_stock: Type.Integer({ description: 'z × sd, rounded up' }),
  reorder_point: Type.Integer({
    description: 'forecast + safety stock: the level the position is brought back up to',
  }),
  suggested_qty: Type.Integer({ description: 'reorder_point − position rounded up to whole case packs; 0: none' }),
  reason: StringEnum(REASON_CODES),
});
const ListSchema = Type.Object({
  location_id: Type.String(),
  source_id: Type.String({ description: 'the DC it comes from, or `supplier`' }),
  action: StringEnum(['transfer', 'purchase'] as const),
  service_level: Type.Number(),
  lead_time_days: Type.Integer(),
  review_period_days: Type.Integer(),
  items: Type.Array(SuggestionSchema),
});

const MoveSchema = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  from_location_id: Type.String(),
  to_location_id: Type.String(),
  km: Type.Number(),
  qty: Type.Integer(),
  to_position: Type.Integer(),
  to_lead_time_demand: Type.Number(),
  from_cover_days: Type.Union([Type.Number(), Type.Null()], { description: 'null: no forecast demand there' }),
});

const CampaignBody = Type.Object(
  {
    starts_on: Day('first day of the campaign'),
    ends_on: Day('last day of the campaign'),
    skus: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 200 }),
    uplift: Type.Number({
      minimum: 0,
      maximum: 20,
      description: 'extra demand as a fraction of the forecast: 0.5 = +50 %',
    }),
    presales: Type.Optional(Type.Boolean({ description: 'add units reserved in pre-sales (default true)' })),
  },
  {
    additionalProperties: false,
    examples: [{ starts_on: '2026-06-01', ends_on: '2026-06-18', skus: ['MILK'], uplift: 0.6 }],
  },
);
const StockUpRow = Type.Object({
  location_id: Type.String(),
  source_id: Type.String({ description: 'the DC the store is stocked from, or `supplier`' }),
  sku: Type.String(),
  name: Type.String(),
  baseline: Type.Number(),
  uplift_units: Type.Number(),
  presale_units: Type.Integer(),
  needed: Type.Integer(),
  position: Type.Integer(),
  stock_up_qty: Type.Integer(),
});
const DcRow = Type.Object({
  location_id: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  to_stores: Type.Integer(),
  own_needed: Type.Integer(),
  position: Type.Integer(),
  purchase_qty: Type.Integer(),
});

function ownStore(principal: Principal, locationId: string): void {
  if (principal.role === 'store_staff' && locationId !== principal.locationId)
    throw forbidden('store staff may only read their own store');
}

/** The purchase request (or transfer list) of a location's suggestions, for a spreadsheet. */
function suggestionsCsv(list: SuggestionList): string {
  return (
    csvLine(['location_id', 'source_id', 'sku', 'name', 'qty', 'case_pack', 'position', 'reorder_point']) +
    list.items
      .filter((i) => i.suggested_qty > 0)
      .map((i) =>
        csvLine([
          list.location_id,
          list.source_id,
          i.sku,
          i.name,
          i.suggested_qty,
          i.case_pack,
          i.position,
          i.reorder_point,
        ]),
      )
      .join('')
  );
}

/** A campaign's stock-up as a spreadsheet: the stores' transfers from their DC, then the DCs' purchases. */
function stockUpCsv(r: Awaited<ReturnType<typeof campaignStockUp>>): string {
  return (
    csvLine(['action', 'from_location_id', 'to_location_id', 'sku', 'name', 'qty']) +
    r.stores
      .filter((x) => x.stock_up_qty > 0)
      .map((x) => csvLine(['transfer', x.source_id, x.location_id, x.sku, x.name, x.stock_up_qty]))
      .join('') +
    r.dcs
      .filter((x) => x.purchase_qty > 0)
      .map((x) => csvLine(['purchase', 'supplier', x.location_id, x.sku, x.name, x.purchase_qty]))
      .join('')
  );
}

export const replenishmentRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.get(
    '/replenishment/policy',
    {
      config: { roles: readers },
      schema: {
        tags: ['goods'],
        summary: 'Service level, lead times and review periods per source, store-to-store rules',
        response: { 200: PolicySchema, ...errors() },
      },
    },
    async () => getPolicy(db),
  );
  app.put(
    '/replenishment/policy',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['goods'],
        summary: 'Set the replenishment policy',
        body: PolicySchema,
        response: { 200: PolicySchema, ...errors(422) },
      },
    },
    async (req) => {
      await setPolicy(db, req.body);
      return req.body;
    },
  );

  app.get(
    '/replenishment/suggestions',
    {
      config: { roles: readers },
      schema: {
        tags: ['goods'],
        summary:
          'What a location should order: per SKU its position, forecast, safety stock, reorder point and quantity',
        description:
          'A store orders from its nearest DC (accept: POST /v1/transfers with origin replenishment), a DC from the supplier. `Accept: text/csv`: the purchase request as CSV.',
        querystring: Type.Object({
          location_id: Id,
          all: Type.Optional(Type.Boolean({ description: 'every SKU, also those with nothing to order' })),
        }),
        response: { 200: ListSchema, ...errors(403, 422) },
      },
    },
    async (req, reply) => {
      ownStore(req.principal, req.query.location_id);
      const location = (await listLocations(db)).find((l) => l.id === req.query.location_id);
      if (!location)
        throw unprocessable('unknown_location', `location ${req.query.location_id} does not exist`, 'location_id');
      const list = await suggestionsFor(db, location, { all: req.query.all ?? false });
      if (!wantsCsv(req.headers.accept)) return list;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="purchase-request-${location.id}.csv"`)
        .send(suggestionsCsv(list) as never); // CSV text, not serialised by the JSON schema
    },
  );

  app.get(
    '/replenishment/transfer-suggestions',
    {
      config: { roles: readers },
      schema: {
        tags: ['goods'],
        summary:
          'Store-to-store transfers: from stores with more than the cover threshold to nearby stores that will stock out',
        querystring: Type.Object({ location_id: Type.Optional(Id) }),
        response: {
          200: Type.Object({ donor_cover_days: Type.Integer(), max_km: Type.Number(), items: Type.Array(MoveSchema) }),
          ...errors(403),
        },
      },
    },
    async (req) => {
      // store staff: their store's by default
      const staff = req.principal.role === 'store_staff';
      const locationId = req.query.location_id ?? (staff ? req.principal.locationId! : null);
      if (staff) ownStore(req.principal, locationId!);
      return transferSuggestions(db, locationId);
    },
  );

  app.post(
    '/replenishment/campaign-stock-up',
    {
      config: { roles: ['admin', 'analyst'] },
      schema: {
        tags: ['goods'],
        summary: 'The extra stock a planned campaign needs per store and at the DC (computed, nothing is written)',
        description:
          '`Accept: text/csv`: the transfers (DC → store) and purchases (supplier → DC) as CSV, one line per SKU.',
        body: CampaignBody,
        response: {
          200: Type.Object({
            starts_on: Type.String(),
            ends_on: Type.String(),
            uplift: Type.Number(),
            presales: Type.Boolean(),
            stores: Type.Array(StockUpRow),
            dcs: Type.Array(DcRow),
          }),
          ...errors(422),
        },
      },
    },
    async (req, reply) => {
      const today = new Date().toISOString().slice(0, 10);
      if (req.body.ends_on < req.body.starts_on)
        throw unprocessable('invalid_range', 'ends_on is before starts_on', 'ends_on');
      if (req.body.ends_on < today) throw unprocessable('campaign_over', 'the campaign has ended', 'ends_on');
      const r = await campaignStockUp(db, req.body);
      if (!wantsCsv(req.headers.accept)) return r;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="campaign-stock-up-${req.body.starts_on}.csv"`)
        .send(stockUpCsv(r) as never); // CSV text, not serialised by the JSON schema
    },
  );
};
