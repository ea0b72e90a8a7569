export const ROLES = ['admin', 'marketer', 'store_staff', 'support', 'analyst', 'integration'] as const;
export type Role = (typeof ROLES)[number];

export const CHANNELS = ['app', 'mini_program', 'web', 'pos', 'group_buy'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Who is calling: resolved from the API key on every /v1 request. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  locationId: string | null;
  channel: Channel | null;
  /** What the key may do beyond its role (src/platform/auth/scopes.ts). */
  scopes: readonly string[];
  /** Set when a staff account signed in with the session cookie (then keyId is the user's id). */
  userId?: string;
  sessionExpiresAt?: Date;
  /** A request the server makes to itself before it listens (warm-up): it must write nothing. */
  dryRun?: true;
}

/** Role groups used by route declarations. */
export const ALL_ROLES: readonly Role[] = ROLES;
