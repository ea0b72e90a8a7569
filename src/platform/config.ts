import path from 'node:path';

/** Runtime configuration, read once from the environment. */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  adminKey: string | null;
  demo: boolean;
  dev: boolean;
  logLevel: string;
  currency: string;
  /** Unpaid online reservations expire after this many seconds. */
  reservationTtlSeconds: number;
  /** Most online orders written in one transaction (group commit); 1 writes each order alone. */
  orderBatchMax: number;
  /** Order-writing transactions running at once on PostgreSQL (PGlite has one connection: 1). */
  orderWriters: number;
  /** Dry-run orders the server sends itself before it listens (orders/warm-up.ts). */
  warmUpRequests: number;
  bodyLimitBytes: number;
  /** Console sign-in sessions expire this many seconds after sign-in (SANTONG_SESSION_TTL_SECONDS). */
  sessionTtlSeconds: number;
  dispatcherIntervalMs: number;
  /** 32-byte master key (hex/base64); when absent a key file is used (see crypto/master-key.ts). */
  masterKey: string | undefined;
  /** SANTONG_MASTER_KEY_FILE, else master.key inside the data dir. */
  masterKeyFile: string;
  masterKeyFileSet: boolean;
  /** Where earlier versions kept the key file (beside the data dir), read when masterKeyFile is missing. */
  legacyMasterKeyFile: string;
  /** The retailer's reporting time zone (days on the dashboard). */
  timezone: string;
  /** Where the webhook courier adapter posts jobs; no courier when unset. */
  courierWebhookUrl: string | null;
  courierWebhookSecret: string;
  /** Where the SMS / e-mail gateway adapter posts one-time codes; unset: printed in dev, none in production. */
  smsWebhookUrl: string | null;
  smsWebhookSecret: string;
  /** Base URL couriers call back (default: the server's own address). */
  publicUrl: string | null;
  /** Reads of personal data one API key may make per window before a security.bulk_access alert (0: no alert). */
  bulkAccessLimit: number;
  bulkAccessWindowSeconds: number;
  /** Saved segments and computed tags are re-evaluated at most this often (their memberships' lag). */
  segmentRefreshSeconds: number;
  /** How often a saved segment's membership is evaluated over the whole base at least (else incrementally). */
  segmentFullSeconds: number;
  /** Journeys' runner takes trigger intake and due steps at most this often (ms). */
  journeyTickMs: number;
  /** Journeys' runner: most enrolments one transaction takes through one step. */
  journeyBatch: number;
  /** Journeys' inactive and date triggers re-scan the base this often. */
  journeyScanSeconds: number;
  /** Webhooks may point at loopback and private addresses (development only; SSRF otherwise). */
  allowPrivateWebhooks: boolean;
  /** Nightly RFM and CLV runs (their hours are settings); SANTONG_NIGHTLY_RUNS=0 turns them off in this process. */
  nightlyRuns: boolean;
  /**
   * The sales rollups follow the orders' events in this process (analytics/rollup.ts);
   * SANTONG_ANALYTICS_ROLLUPS=0 unsubscribes them (benchmarks of their cost; the events this process
   * dispatches are then missing from the figures until `santong analytics rebuild`).
   */
  analyticsRollups: boolean;
  /**
   * Marketing messages a gateway did not accept are retried after these delays (seconds), then
   * failed: attempts = delays + 1. SANTONG_MESSAGE_RETRY_SECONDS, comma-separated (tests: short ones).
   */
  messageRetrySeconds: number[];
}

function secondsListFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const list = raw.split(',').map((x) => Number(x.trim()));
  if (list.some((n) => !Number.isFinite(n) || n < 0))
    throw new Error(`${name} must be comma-separated non-negative seconds, got "${raw}"`);
  return list;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.SANTONG_DATA_DIR ?? path.join(process.cwd(), '.santong', 'data'));
  return {
    port: intFromEnv(env, 'PORT', 8080),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL && env.DATABASE_URL !== '' ? env.DATABASE_URL : null,
    dataDir,
    adminKey: env.SANTONG_ADMIN_KEY && env.SANTONG_ADMIN_KEY !== '' ? env.SANTONG_ADMIN_KEY : null,
    demo: env.SANTONG_DEMO !== '0',
    dev: env.NODE_ENV !== 'production',
    logLevel: env.LOG_LEVEL ?? 'info',
    currency: env.SANTONG_CURRENCY ?? 'CNY',
    reservationTtlSeconds: intFromEnv(env, 'SANTONG_RESERVATION_TTL_SECONDS', 15 * 60),
    orderBatchMax: Math.max(1, intFromEnv(env, 'SANTONG_ORDER_BATCH', 32)),
    orderWriters: Math.max(1, intFromEnv(env, 'SANTONG_ORDER_WRITERS', 1)),
    // A server on PostgreSQL (production) warms its order path up before it listens; the embedded
    // database (a trial, tests) starts at once. SANTONG_WARM_UP=0 turns it off.
    warmUpRequests: Math.max(0, intFromEnv(env, 'SANTONG_WARM_UP', env.DATABASE_URL ? 1500 : 0)),
    bodyLimitBytes: intFromEnv(env, 'SANTONG_BODY_LIMIT_BYTES', 1024 * 1024),
    sessionTtlSeconds: Math.max(1, intFromEnv(env, 'SANTONG_SESSION_TTL_SECONDS', 12 * 3600)),
    dispatcherIntervalMs: intFromEnv(env, 'SANTONG_DISPATCH_INTERVAL_MS', 500),
    masterKey: env.SANTONG_MASTER_KEY || undefined,
    masterKeyFile: path.resolve(env.SANTONG_MASTER_KEY_FILE || path.join(dataDir, 'master.key')),
    masterKeyFileSet: Boolean(env.SANTONG_MASTER_KEY_FILE),
    legacyMasterKeyFile: path.join(path.dirname(dataDir), 'master.key'),
    timezone: env.SANTONG_TIMEZONE ?? 'Asia/Shanghai',
    courierWebhookUrl: env.SANTONG_COURIER_WEBHOOK_URL || null,
    courierWebhookSecret: env.SANTONG_COURIER_WEBHOOK_SECRET ?? '',
    smsWebhookUrl: env.SANTONG_SMS_WEBHOOK_URL || null,
    smsWebhookSecret: env.SANTONG_SMS_WEBHOOK_SECRET ?? '',
    publicUrl: env.SANTONG_PUBLIC_URL || null,
    bulkAccessLimit: intFromEnv(env, 'SANTONG_BULK_ACCESS_LIMIT', 200),
    bulkAccessWindowSeconds: intFromEnv(env, 'SANTONG_BULK_ACCESS_WINDOW_SECONDS', 600),
    segmentRefreshSeconds: intFromEnv(env, 'SANTONG_SEGMENT_REFRESH_SECONDS', 60),
    segmentFullSeconds: intFromEnv(env, 'SANTONG_SEGMENT_FULL_SECONDS', 86_400),
    journeyTickMs: intFromEnv(env, 'SANTONG_JOURNEY_TICK_MS', 1000),
    journeyBatch: intFromEnv(env, 'SANTONG_JOURNEY_BATCH', 500),
    journeyScanSeconds: intFromEnv(env, 'SANTONG_JOURNEY_SCAN_SECONDS', 3600),
    allowPrivateWebhooks: env.SANTONG_ALLOW_PRIVATE_WEBHOOKS === '1',
    nightlyRuns: env.SANTONG_NIGHTLY_RUNS !== '0',
    analyticsRollups: env.SANTONG_ANALYTICS_ROLLUPS !== '0',
    messageRetrySeconds: secondsListFromEnv(env, 'SANTONG_MESSAGE_RETRY_SECONDS', [30, 120, 600, 3600]),
  };
}
