import type { WrappedKeyColumn } from '../platform/crypto/master-key';

/**
 * Every column holding a data key wrapped by the master key. `santong keys rotate-master` re-wraps
 * exactly these: a new one must be added here (master-key.test.ts checks the schema against it).
 */
export const WRAPPED_KEY_COLUMNS: readonly WrappedKeyColumn[] = [
  { table: 'customers', id: 'id', column: 'data_key' },
  { table: 'orders', id: 'id', column: 'address_key' },
];
