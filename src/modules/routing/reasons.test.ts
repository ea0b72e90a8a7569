import { describe, expect, it } from 'vitest';
import { en } from '../../../web/src/i18n/en';
import { zhCN } from '../../../web/src/i18n/zh-CN';
import {
  defaultStrategy,
  DEFAULT_POLICY,
  type Candidate,
  type FulfilmentRequest,
  type RoutingLine,
  type RoutingLocation,
  type RoutingResult,
} from './policy';
import { because, fill, REASON_TEXT, WHY_NOT_TEXT, whyNot, type ReasonParams } from './reasons';

const HOME = { lat: 31.2304, lng: 121.4737 };
const loc = (
  id: string,
  type: RoutingLocation['type'],
  lat: number,
  lng: number,
  o: Partial<RoutingLocation> = {},
): RoutingLocation => ({
  id,
  type,
  lat,
  lng,
  timezone: 'Asia/Shanghai',
  opening_hours: null,
  can_ship: true,
  can_pickup: type !== 'dc',
  local_delivery_km: type === 'dc' ? null : 3,
  ...o,
});
const LOCATIONS: RoutingLocation[] = [
  loc('dc1', 'dc', 31.3747, 121.2654),
  loc('near', 'store', 31.233, 121.476),
  loc('mid', 'store', 31.25, 121.49, { local_delivery_km: 5 }),
  loc('far', 'store', 31.111, 121.3853, { can_ship: false }),
  loc('shut', 'store', 31.235, 121.47, { opening_hours: {}, local_delivery_km: 10 }),
  loc('noship', 'store', 31.229, 121.472, { can_ship: false, can_pickup: false, local_delivery_km: null }),
  loc('remote', 'dark_store', 32.06, 118.79),
];
const STOCK: Record<string, Record<string, number>> = {
  dc1: { TV: 10, CHIPS: 100 },
  near: { MILK: 5, CHIPS: 3 },
  mid: { MILK: 20, TV: 2 },
  far: { MILK: 50 },
  remote: { MILK: 9 },
};
const NOW = new Date('2025-03-04T03:00:00Z'); // 11:00 in Shanghai

function route(request: FulfilmentRequest, lines: RoutingLine[]): RoutingResult {
  return defaultStrategy.route(
    { request, lines, locations: LOCATIONS, stock: (l, sku) => STOCK[l]?.[sku] ?? 0, now: NOW },
    DEFAULT_POLICY,
  );
}
const deliver = (speed: 'hour' | 'same_day' | 'standard', at = HOME): FulfilmentRequest => ({
  type: 'delivery',
  ...at,
  speed,
});
const why = (r: RoutingResult, id: string): Candidate => r.candidates.find((c) => c.location_id === id)!;
const placeholders = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** One route for every reason, each with the code it must give. */
const SCENARIOS: [string, RoutingResult][] = [
  ['unknown_location', route({ type: 'pickup', location_id: 'nowhere' }, [{ sku: 'MILK', qty: 1 }])],
  ['sold_at_till', route({ type: 'in_store', location_id: 'near' }, [{ sku: 'TV', qty: 1 }])],
  ['no_pickup', route({ type: 'pickup', location_id: 'dc1' }, [{ sku: 'TV', qty: 1 }])],
  [
    'missing_stock',
    route({ type: 'pickup', location_id: 'near' }, [
      { sku: 'MILK', qty: 1 },
      { sku: 'TV', qty: 1 },
    ]),
  ],
  ['picked_up_at', route({ type: 'pickup', location_id: 'near' }, [{ sku: 'MILK', qty: 2 }])],
  ['dc_standard_has_all', route(deliver('standard'), [{ sku: 'TV', qty: 1 }])],
  ['nearest_hour_store', route(deliver('hour'), [{ sku: 'MILK', qty: 2 }])],
  ['nearest_shipper', route(deliver('same_day'), [{ sku: 'TV', qty: 1 }])],
  ['no_open_store_in_range', route(deliver('hour', { lat: 39.9, lng: 116.4 }), [{ sku: 'MILK', qty: 1 }])],
  ['no_hour_store_has_all', route(deliver('hour'), [{ sku: 'CHIPS', qty: 5 }])],
  ['not_enough_for_speed', route(deliver('standard'), [{ sku: 'TV', qty: 50 }])],
  [
    'split',
    route(deliver('same_day'), [
      { sku: 'CHIPS', qty: 1 },
      { sku: 'TV', qty: 1 },
    ]),
  ],
];

/** Whether a coded text is its template filled with its values, and names every value the template asks for. */
function agrees(text: string | undefined, template: string, params: ReasonParams | undefined): void {
  expect(text).toBe(fill(template, params));
  expect(Object.keys(params ?? {}).sort()).toEqual(placeholders(template));
  expect(text).not.toMatch(/\{\w+\}/);
}

describe('routing reasons as codes', () => {
  it('gives every reason code, and each reason is its template filled with its values', () => {
    for (const [code, r] of SCENARIOS) {
      expect(r.reason_code, r.reason).toBe(code);
      agrees(r.reason, REASON_TEXT[r.reason_code], r.reason_params);
    }
    expect(SCENARIOS.map(([c]) => c).sort()).toEqual(Object.keys(REASON_TEXT).sort());
  });

  it("gives every why-not code, and each candidate's why_not is its template filled with its values", () => {
    const seen = new Set<string>();
    for (const [, r] of SCENARIOS) {
      for (const c of r.candidates) {
        expect(c.can_fulfil).toBe(c.why_not === undefined);
        expect(c.why_not === undefined).toBe(c.why_not_code === undefined);
        if (!c.why_not_code) {
          expect(c.why_not_params).toBeUndefined();
          continue;
        }
        seen.add(c.why_not_code);
        agrees(c.why_not, WHY_NOT_TEXT[c.why_not_code], c.why_not_params);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(WHY_NOT_TEXT).sort());
  });

  it('keeps the English text of before the codes', () => {
    const hour = SCENARIOS.find(([c]) => c === 'nearest_hour_store')![1];
    expect(hour.reason).toBe('nearest open store that delivers to the address within 3 km and has every line');
    expect(why(hour, 'far').why_not).toMatch(/^out of delivery range \(\d+(\.\d+)? km > 3 km\)$/);
    expect(why(hour, 'far').why_not_params).toEqual({ km: why(hour, 'far').distance_km, limit_km: 3 });
    expect(why(hour, 'dc1')).toMatchObject({
      can_fulfil: false,
      why_not: 'no local delivery',
      why_not_code: 'no_local_delivery',
    });
    expect(why(hour, 'shut')).toMatchObject({ why_not: 'closed now', why_not_code: 'closed_now' });
    const none = SCENARIOS.find(([c]) => c === 'no_hour_store_has_all')![1];
    expect(why(none, 'near')).toMatchObject({
      why_not: 'insufficient stock of CHIPS (has 3, needs 5)',
      why_not_code: 'missing_stock',
      why_not_params: { sku: 'CHIPS', has: 3, qty: 5 },
    });
    expect(why(hour, 'near')).toEqual({
      location_id: 'near',
      distance_km: why(hour, 'near').distance_km,
      can_fulfil: true,
    });

    const pickup = SCENARIOS.find(([c]) => c === 'missing_stock')![1];
    expect(pickup).toMatchObject({
      ok: false,
      line: 1,
      reason: 'near insufficient stock of TV (has 0, needs 1)',
      reason_params: { location: 'near', sku: 'TV', has: 0, qty: 1 },
    });
    expect(pickup.candidates).toEqual([
      {
        location_id: 'near',
        distance_km: 0,
        can_fulfil: false,
        why_not: 'insufficient stock of TV (has 0, needs 1)',
        why_not_code: 'missing_stock',
        why_not_params: { sku: 'TV', has: 0, qty: 1 },
      },
    ]);
    expect(SCENARIOS.find(([c]) => c === 'no_pickup')![1]).toMatchObject({
      reason: 'dc1 does not offer pickup',
      candidates: [{ why_not: 'does not offer pickup', why_not_code: 'no_pickup' }],
    });

    const split = SCENARIOS.find(([c]) => c === 'split')![1];
    expect(split.reason).toBe(
      'no single location has every line; split across 2 locations, the fewest that cover the order, nearer first',
    );
    expect(split.reason_params).toEqual({ count: 2 });
    const sameDay = SCENARIOS.find(([c]) => c === 'nearest_shipper')![1];
    expect(why(sameDay, 'remote').why_not).toMatch(/^beyond same-day radius \(\d+(\.\d+)? km > 50 km\)$/);
    expect(why(sameDay, 'dc1').why_not).toBe('a DC does not deliver same day');
    expect(SCENARIOS.find(([c]) => c === 'not_enough_for_speed')![1]).toMatchObject({
      reason: 'not enough TV in locations that can serve standard delivery',
      reason_params: { sku: 'TV', speed: 'standard' },
    });
  });

  it('writes the text of a code without values as the template itself, and leaves no params on it', () => {
    expect(because('sold_at_till')).toEqual({ reason: 'sold at the till of this store', reason_code: 'sold_at_till' });
    expect(whyNot('closed_now')).toEqual({ why_not: 'closed now', why_not_code: 'closed_now' });
    expect(whyNot('out_of_delivery_range', { km: 4.2, limit_km: 3 }).why_not).toBe(
      'out of delivery range (4.2 km > 3 km)',
    );
  });

  it('has console wording for every code in both languages, with the same values', () => {
    const dicts: Record<string, Record<string, string>> = { 'zh-CN': zhCN, en };
    for (const [prefix, table] of [
      ['routing.reason', REASON_TEXT],
      ['routing.whyNot', WHY_NOT_TEXT],
    ] as const) {
      for (const [code, template] of Object.entries(table)) {
        for (const [lang, dict] of Object.entries(dicts)) {
          const text = dict[`${prefix}.${code}`];
          expect(text, `${lang} ${prefix}.${code}`).toBeDefined();
          expect(placeholders(text), `${lang} ${prefix}.${code}`).toEqual(placeholders(template));
        }
        // The English console says what the API says.
        expect(en[`${prefix}.${code}` as keyof typeof en]).toBe(template);
      }
    }
  });
});
