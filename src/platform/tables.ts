/** The platform's tables (migrations in src/platform/migrations); modules may use them, the platform no other. */
export const OWNED_TABLES = [
  'api_keys',
  'users',
  'user_sessions',
  'idempotency_keys',
  'outbox',
  'webhooks',
  'webhook_deliveries',
  'settings',
  'audit_log',
  'security_alerts',
  'master_key',
] as const;
