/**
 * Routing's explanations as data: a code with its values, and the English sentence written from them
 * here, in one table, so the text and the code cannot disagree. A console words the same code and
 * values in its own language (web/src/i18n: routing.reason.<code>, routing.whyNot.<code>), the way
 * the pricing engine's adjustments carry `reason` and `params`. Placeholders are {name}, as in the
 * console's dictionaries.
 */

export type ReasonParams = Record<string, string | number>;

/** Why routing decided what it did, or why it could not route (`reason` of a result). */
export const REASON_TEXT = {
  unknown_location: 'location {location} does not exist',
  sold_at_till: 'sold at the till of this store',
  no_pickup: '{location} does not offer pickup',
  missing_stock: '{location} insufficient stock of {sku} (has {has}, needs {qty})',
  picked_up_at: 'picked up at {location}',
  dc_standard_has_all: 'standard parcel from the DC, which has every line',
  nearest_hour_store: 'nearest open store that delivers to the address within {limit_km} km and has every line',
  nearest_shipper: 'nearest location that can ship every line ({km} km)',
  no_open_store_in_range: 'no open store delivers to this address within the hour',
  no_hour_store_has_all: 'no store in hour-delivery range has every line',
  not_enough_for_speed: 'not enough {sku} in locations that can serve {speed} delivery',
  split:
    'no single location has every line; split across {count} locations, the fewest that cover the order, nearer first',
} as const;

/** Why a candidate location was not chosen (`why_not` of a candidate). */
export const WHY_NOT_TEXT = {
  no_pickup: 'does not offer pickup',
  missing_stock: 'insufficient stock of {sku} (has {has}, needs {qty})',
  no_local_delivery: 'no local delivery',
  out_of_delivery_range: 'out of delivery range ({km} km > {limit_km} km)',
  closed_now: 'closed now',
  dc_no_same_day: 'a DC does not deliver same day',
  does_not_ship: 'does not ship',
  beyond_same_day_radius: 'beyond same-day radius ({km} km > {limit_km} km)',
  does_not_ship_parcels: 'does not ship parcels',
} as const;

export type ReasonCode = keyof typeof REASON_TEXT;
export type WhyNotCode = keyof typeof WHY_NOT_TEXT;

/** The values a template names: `'{a} of {b}'` → `{ a; b }`. */
type ParamsOf<T extends string> = T extends `${string}{${infer P}}${infer Rest}`
  ? { [K in P]: string | number } & ParamsOf<Rest>
  : Record<never, never>;
/** No argument for a template without placeholders, exactly its values otherwise. */
type ArgsOf<T extends string> = T extends `${string}{${string}}${string}` ? [params: ParamsOf<T>] : [];

/** A template with its placeholders filled in; an unknown placeholder is left as it is. */
export function fill(template: string, params?: ReasonParams): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export interface Reason {
  reason: string;
  reason_code: ReasonCode;
  reason_params?: ReasonParams;
}

export interface WhyNot {
  why_not: string;
  why_not_code: WhyNotCode;
  why_not_params?: ReasonParams;
}

/** A result's reason: the code, its values and the English text written from them. */
export function because<C extends ReasonCode>(code: C, ...args: ArgsOf<(typeof REASON_TEXT)[C]>): Reason {
  const params = args[0] as ReasonParams | undefined;
  return params
    ? { reason: fill(REASON_TEXT[code], params), reason_code: code, reason_params: params }
    : { reason: REASON_TEXT[code], reason_code: code };
}

/** A candidate's why-not: the code, its values and the English text written from them. */
export function whyNot<C extends WhyNotCode>(code: C, ...args: ArgsOf<(typeof WHY_NOT_TEXT)[C]>): WhyNot {
  const params = args[0] as ReasonParams | undefined;
  return params
    ? { why_not: fill(WHY_NOT_TEXT[code], params), why_not_code: code, why_not_params: params }
    : { why_not: WHY_NOT_TEXT[code], why_not_code: code };
}
