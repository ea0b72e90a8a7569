import { CHANNELS, type Principal } from '../../platform/auth/roles';
import type { KeyRing } from '../../platform/crypto/keys';
import { AppError } from '../../platform/http/errors';
import { findUnstorable } from '../../platform/http/validation';
import { findContactData } from '../../platform/privacy/contact-data';
import { prepareIdentifiers } from './identity';

// Validation of one event of POST /v1/events: its fields, its date, its subject (identifiers
// normalised and hashed) and the properties of known types. The bulk write is in events.ts.

/** The most events one POST /v1/events may carry. */
export const MAX_BATCH = 1000;
/** Custom event types: lower-case, dotted or underscored. */
export const EVENT_TYPE = /^[a-z][a-z0-9_.]{0,63}$/;
/** Types other modules publish themselves; clients may not send them. */
export const RESERVED_TYPES: ReadonlySet<string> = new Set(['order_completed']);
const EVENT_ID = /^[\x21-\x7e]{1,128}$/;
const ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const OCCURRED_AT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;
const MAX_PROPERTIES_BYTES = 16 * 1024;
const FUTURE_SKEW_MS = 24 * 3600 * 1000;
const EARLIEST = Date.UTC(2000, 0, 1);
const EVENT_FIELDS = new Set([
  'event_id',
  'type',
  'occurred_at',
  'channel',
  'customer_id',
  'identifiers',
  'anonymous_id',
  'location_id',
  'properties',
]);

export type Subject =
  | { kind: 'customer'; id: string }
  | { kind: 'identifiers'; key: string; idents: { type: string; value: string; hash: string }[] }
  | { kind: 'anonymous'; value: string; hash: string };

export interface Prepared {
  index: number;
  event_id: string;
  type: string;
  occurred_at: string;
  channel: string;
  location_id: string | null;
  properties: string;
  subject: Subject;
  anonymous_id: string | null;
  /** Set once the subject is resolved. */
  customer_id?: string;
}

export class Reject extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

// An unpaired UTF-16 surrogate: JSON can carry it, PostgreSQL's json cannot.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;
// JSON.stringify writes an unpaired surrogate as a \udXXX escape (after an even run of backslashes).
const ESCAPED_SURROGATE = /(?:^|[^\\])(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const nonEmpty = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim() !== '' && v.length <= max;

/** The properties each known type must carry; anything else about them is free. */
const KNOWN_TYPES: Record<string, (p: Record<string, unknown>, f: string) => void> = {
  product_viewed(p, f) {
    if (!nonEmpty(p.sku, 100))
      throw new Reject('invalid_properties', 'product_viewed needs properties.sku (1 to 100 characters)', `${f}.sku`);
  },
  added_to_cart(p, f) {
    if (!nonEmpty(p.sku, 100))
      throw new Reject('invalid_properties', 'added_to_cart needs properties.sku (1 to 100 characters)', `${f}.sku`);
    if (typeof p.qty !== 'number' || !Number.isInteger(p.qty) || p.qty < 1 || p.qty > 100000)
      throw new Reject(
        'invalid_properties',
        'added_to_cart needs properties.qty, an integer of at least 1',
        `${f}.qty`,
      );
  },
  search(p, f) {
    if (!nonEmpty(p.query, 500))
      throw new Reject('invalid_properties', 'search needs properties.query (1 to 500 characters)', `${f}.query`);
  },
  store_visit(p, f) {
    if (!nonEmpty(p.location_id, 100) || !ID.test(p.location_id))
      throw new Reject(
        'invalid_properties',
        'store_visit needs properties.location_id, a location id',
        `${f}.location_id`,
      );
  },
  page_view(p, f) {
    if (!nonEmpty(p.path, 2000))
      throw new Reject('invalid_properties', 'page_view needs properties.path (1 to 2000 characters)', `${f}.path`);
  },
  coupon_claimed(p, f) {
    if (!nonEmpty(p.template_id, 100) && !nonEmpty(p.code, 100))
      throw new Reject(
        'invalid_properties',
        'coupon_claimed needs properties.template_id or properties.code',
        `${f}.template_id`,
      );
  },
};
export const KNOWN_EVENT_TYPES = Object.keys(KNOWN_TYPES);

/** ISO-8601 with a zone, a real calendar date; normalised to UTC keeping sub-millisecond digits. */
function parseOccurredAt(v: unknown, f: string, now: number): string {
  if (typeof v === 'string' && v.length === 24 && v[23] === 'Z') {
    // the common case, Date#toISOString() of the client: valid when it comes back the same
    const ms = Date.parse(v);
    if (Number.isFinite(ms) && ms >= EARLIEST && ms <= now + FUTURE_SKEW_MS && new Date(ms).toISOString() === v)
      return `${v.slice(0, 23)}000Z`;
  }
  const m = typeof v === 'string' ? OCCURRED_AT.exec(v) : null;
  if (!m)
    throw new Reject(
      'invalid_event',
      `${f} must be an ISO-8601 date-time with a time zone, e.g. 2025-11-26T08:30:00Z`,
      f,
    );
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  const daysIn = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn || h > 23 || mi > 59 || s > 59)
    throw new Reject('invalid_event', `${f} is not a valid date-time`, f);
  const ms = Date.parse(v as string);
  if (!Number.isFinite(ms) || ms < EARLIEST) throw new Reject('invalid_event', `${f} must be after 2000-01-01`, f);
  if (ms > now + FUTURE_SKEW_MS) throw new Reject('invalid_event', `${f} is more than a day in the future`, f);
  return `${new Date(ms).toISOString().slice(0, 19)}.${(m[7] ?? '').slice(0, 6).padEnd(6, '0')}Z`;
}

/**
 * A batch's blind indexes (HMAC) by type and value: an anonymous id or identifier repeated in the
 * batch (a visitor's several events) is hashed once.
 */
export function batchIndex(keys: KeyRing): (type: string, value: string) => string {
  const memo = new Map<string, string>();
  return (type, value) => {
    const k = `${type}\u0000${value}`;
    let h = memo.get(k);
    if (h === undefined) {
      h = keys.blindIndex(type, value);
      memo.set(k, h);
    }
    return h;
  };
}

/** One event checked and normalised; a problem throws Reject naming the field. */
export function prepare(
  keys: KeyRing,
  raw: unknown,
  index: number,
  principal: Principal | null,
  now: number,
  blindIndex: (type: string, value: string) => string = (t, v) => keys.blindIndex(t, v),
): Prepared {
  const f = `events[${index}]`;
  if (!isObject(raw)) throw new Reject('invalid_event', `${f} must be an object`, f);
  for (const k of Object.keys(raw))
    if (!EVENT_FIELDS.has(k)) throw new Reject('invalid_event', `${f}.${k} is not a known field`, `${f}.${k}`);
  const e = raw;
  if (typeof e.event_id !== 'string' || !EVENT_ID.test(e.event_id))
    throw new Reject(
      'invalid_event',
      `${f}.event_id must be 1 to 128 printable ASCII characters without spaces`,
      `${f}.event_id`,
    );
  if (typeof e.type !== 'string') throw new Reject('invalid_type', `${f}.type is required`, `${f}.type`);
  if (RESERVED_TYPES.has(e.type))
    throw new Reject(
      'reserved_type',
      `${e.type} is published by the order module itself; send the order to POST /v1/orders`,
      `${f}.type`,
    );
  if (!EVENT_TYPE.test(e.type))
    throw new Reject('invalid_type', `${f}.type must match [a-z][a-z0-9_.]{0,63}`, `${f}.type`);
  const occurred_at = parseOccurredAt(e.occurred_at, `${f}.occurred_at`, now);
  if (typeof e.channel !== 'string' || !(CHANNELS as readonly string[]).includes(e.channel))
    throw new Reject('invalid_event', `${f}.channel must be one of ${CHANNELS.join(', ')}`, `${f}.channel`);
  if (principal?.role === 'integration' && principal.channel !== e.channel)
    throw new Reject(
      'channel_not_allowed',
      `this key sends events for channel ${principal.channel} only`,
      `${f}.channel`,
    );

  if (e.properties !== undefined && !isObject(e.properties))
    throw new Reject('invalid_properties', `${f}.properties must be an object`, `${f}.properties`);
  const props = (e.properties ?? {}) as Record<string, unknown>;
  const properties = JSON.stringify(props);
  if (ESCAPED_SURROGATE.test(properties))
    throw new Reject(
      'invalid_properties',
      `${f}.properties holds text that is not valid Unicode (an unpaired surrogate)`,
      `${f}.properties`,
    );
  if (Buffer.byteLength(properties) > MAX_PROPERTIES_BYTES)
    throw new Reject('invalid_properties', `${f}.properties exceeds ${MAX_PROPERTIES_BYTES} bytes`, `${f}.properties`);
  KNOWN_TYPES[e.type]?.(props, `${f}.properties`);
  // Properties are stored in the clear and read by marketers: contact data goes in identifiers.
  const contact = findContactData(props, `${f}.properties`);
  if (contact) {
    const message = `${contact.field} holds contact data (${contact.kind}): send phone numbers and e-mail addresses as identifiers`;
    throw new Reject('contact_data_in_properties', message, contact.field);
  }

  let location_id: string | null = null;
  if (e.location_id !== undefined && e.location_id !== null) {
    if (typeof e.location_id !== 'string' || !ID.test(e.location_id))
      throw new Reject('invalid_event', `${f}.location_id must be a location id`, `${f}.location_id`);
    location_id = e.location_id;
  }
  if (e.type === 'store_visit') {
    if (location_id !== null && location_id !== props.location_id)
      throw new Reject(
        'invalid_properties',
        `${f}.properties.location_id differs from ${f}.location_id`,
        `${f}.properties.location_id`,
      );
    location_id = props.location_id as string;
  }
  if (principal?.role === 'store_staff') {
    if (location_id === null) location_id = principal.locationId;
    else if (location_id !== principal.locationId)
      throw new Reject(
        'location_not_allowed',
        `this key sends events for location ${principal.locationId} only`,
        `${f}.location_id`,
      );
  }

  const given = (['customer_id', 'identifiers', 'anonymous_id'] as const).filter(
    (k) => e[k] !== undefined && e[k] !== null,
  );
  if (given.length === 0)
    throw new Reject('subject_required', `${f} needs one of customer_id, identifiers or anonymous_id`, f);
  if (given.length > 1)
    throw new Reject('subject_ambiguous', `${f} gives ${given.join(' and ')}: give exactly one`, `${f}.${given[1]}`);
  let subject: Subject;
  let anonymous_id: string | null = null;
  if (given[0] === 'customer_id') {
    if (typeof e.customer_id !== 'string' || !ID.test(e.customer_id))
      throw new Reject('invalid_event', `${f}.customer_id must be a customer id`, `${f}.customer_id`);
    subject = { kind: 'customer', id: e.customer_id };
  } else if (given[0] === 'identifiers') {
    const list = e.identifiers;
    if (!Array.isArray(list) || list.length === 0 || list.length > 20)
      throw new Reject(
        'invalid_identifier',
        `${f}.identifiers must be a list of 1 to 20 identifiers`,
        `${f}.identifiers`,
      );
    list.forEach((x, i) => {
      if (
        !isObject(x) ||
        typeof x.type !== 'string' ||
        typeof x.value !== 'string' ||
        x.value.length > 200 ||
        Object.keys(x).length !== 2
      ) {
        throw new Reject(
          'invalid_identifier',
          `${f}.identifiers[${i}] must be {type, value} with a value of at most 200 characters`,
          `${f}.identifiers[${i}]`,
        );
      }
    });
    let idents;
    try {
      idents = prepareIdentifiers(keys, { identifiers: list as { type: string; value: string }[] }, blindIndex);
    } catch (err) {
      if (err instanceof AppError) throw new Reject(err.code, err.message, `${f}.${err.field ?? 'identifiers'}`);
      throw err;
    }
    const sorted = idents
      .map((i) => ({ type: i.type, value: i.value, hash: i.hash }))
      .sort((a, b) => (a.type + a.hash < b.type + b.hash ? -1 : 1));
    subject = { kind: 'identifiers', key: sorted.map((i) => `${i.type}:${i.hash}`).join(','), idents: sorted };
  } else {
    const v = typeof e.anonymous_id === 'string' ? e.anonymous_id.trim() : '';
    if (v === '' || v.length > 128 || LONE_SURROGATE.test(v))
      throw new Reject(
        'invalid_identifier',
        `${f}.anonymous_id must be 1 to 128 characters of valid Unicode`,
        `${f}.anonymous_id`,
      );
    subject = { kind: 'anonymous', value: v, hash: blindIndex('anonymous_id', v) };
    anonymous_id = v;
  }
  // Anything the checks above did not look at (an identifier's value) must be storable text too.
  const unstorable = findUnstorable(raw, f);
  if (unstorable) throw new Reject('invalid_event', `${unstorable.path} ${unstorable.problem}`, unstorable.path);
  return {
    index,
    event_id: e.event_id,
    type: e.type,
    occurred_at,
    channel: e.channel,
    location_id,
    properties,
    subject,
    anonymous_id,
  };
}
