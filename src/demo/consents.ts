import { row } from './csv';
import type { Rng } from './rng';

export const CONSENT_COLUMNS = ['customer_id', 'purpose', 'granted', 'channel', 'source', 'at'];

/** What a demo member can be reached by, from the identifiers they gave. */
export interface Reachable {
  phone: boolean;
  wechat: boolean;
  email: boolean;
}

const DAY_MS = 86400_000;

/**
 * The consents a member gave when they joined, on the channel they joined on, and now and then
 * withdrew later: about 60% SMS, 40% WeChat, 30% app push, 10% e-mail, 70% personalisation and
 * 80% analytics across the base (each only where the member gave that contact), so journeys and
 * campaigns have an audience that may be reached, and some that may not.
 */
export function demoConsents(
  rng: Rng,
  customerId: string,
  channel: string,
  joined: number,
  anchor: number,
  reach: Reachable,
): string {
  const rates: [string, number][] = [
    ['marketing_sms', reach.phone ? 0.65 : 0],
    ['marketing_wechat', reach.wechat ? 0.8 : 0],
    ['marketing_push', 0.3],
    ['marketing_email', reach.email ? 0.67 : 0],
    ['personalization', 0.7],
    ['analytics', 0.8],
  ];
  let out = '';
  for (const [purpose, rate] of rates) {
    if (!rng.chance(rate)) continue;
    out += row([customerId, purpose, true, channel, 'registration', new Date(joined).toISOString()]);
    // One in twelve marketing consents is withdrawn later (an unsubscribe link, a word at the till).
    if (purpose.startsWith('marketing_') && rng.chance(1 / 12)) {
      const at = joined + rng.int(1, Math.max(1, Math.floor((anchor - joined) / DAY_MS))) * DAY_MS;
      if (at < anchor) out += row([customerId, purpose, false, channel, 'unsubscribe', new Date(at).toISOString()]);
    }
  }
  return out;
}
