import type { Principal } from '../../platform/auth/roles';

/**
 * Whether a caller may link identifiers to existing customers without a one-time code: admin keys,
 * and integration keys with the `identity:trusted` scope (a default of the app, mini-program and web
 * channels, whose logins verify the phone). Store staff and support never are: a till must verify.
 */
export function isTrustedIdentityCaller(principal: Principal): boolean {
  if (principal.role === 'admin') return true;
  return principal.role === 'integration' && principal.scopes.includes('identity:trusted');
}
