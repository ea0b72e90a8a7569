import type { Principal } from '../../platform/auth/roles';

/** Channels whose logins verify the customer's phone: their integration keys are trusted by default. */
const LOGIN_CHANNELS: readonly string[] = ['app', 'mini_program', 'web'];

/**
 * Whether a caller may link identifiers to existing customers without a one-time code: admin keys,
 * and integration keys with the `identity:trusted` scope (or, on a key that carries no scopes, one of
 * an app, mini-program or web channel). Store staff and support never are: a till must verify.
 */
export function isTrustedIdentityCaller(principal: Principal): boolean {
  if (principal.role === 'admin') return true;
  if (principal.role !== 'integration') return false;
  if (principal.scopes !== undefined) return principal.scopes.includes('identity:trusted');
  return principal.channel !== null && LOGIN_CHANNELS.includes(principal.channel);
}
