import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import { raiseAlert } from '../../platform/audit/alerts';
import type { Tx } from '../../platform/db/database';
import { AppError, unprocessable } from '../../platform/http/errors';
import './tables';

/** Wrong codes in a row that lock a pickup, and for how long. */
const PICKUP_MAX_FAILURES = 5;
const PICKUP_LOCK_MINUTES = 15;

const locked = (until: Date) =>
  new AppError(
    429,
    'pickup_locked',
    `too many wrong pickup codes: this pickup is locked until ${until.toISOString()}`,
    'pickup_code',
    { locked_until: until.toISOString() },
  );

/**
 * Checks a pickup code; the caller holds the fulfilment's row lock, so attempts are counted one at
 * a time. Returns null when the code matches, else the refusal — to throw after the transaction
 * commits, so that the count (and on the 5th wrong code the lock, a security alert and
 * `security.pickup_code_guessing`) is kept. While locked even the right code is refused.
 */
export async function checkPickupCode(
  tx: Tx,
  f: { id: string; order_id: string; location_id: string },
  principal: Principal,
  expected: string | null,
  given: string,
): Promise<AppError | null> {
  const guard = (
    await sql<{ failures: number; locked_until: Date | null; is_locked: boolean }>`
      SELECT failures, locked_until, coalesce(locked_until > now(), false) AS is_locked FROM pickup_code_guards WHERE fulfillment_id = ${f.id}`.execute(
      tx,
    )
  ).rows[0];
  if (guard?.is_locked) return locked(guard.locked_until!);
  if (expected !== null && expected === given) {
    if (guard) await tx.deleteFrom('pickup_code_guards').where('fulfillment_id', '=', f.id).execute();
    return null;
  }
  // After a lock runs out the count starts again.
  const failures = (guard && guard.locked_until === null ? guard.failures : 0) + 1;
  if (failures < PICKUP_MAX_FAILURES) {
    await saveGuard(tx, f.id, failures, null);
    return unprocessable('invalid_pickup_code', 'the pickup code does not match', 'pickup_code', {
      attempts_left: PICKUP_MAX_FAILURES - failures,
    });
  }
  const until = (
    await sql<{ until: Date }>`SELECT now() + make_interval(mins => ${PICKUP_LOCK_MINUTES}) AS until`.execute(tx)
  ).rows[0].until;
  await saveGuard(tx, f.id, failures, until);
  const details = {
    fulfillment_id: f.id,
    order_id: f.order_id,
    location_id: f.location_id,
    key_id: principal.keyId,
    failures,
    locked_until: until.toISOString(),
  };
  await raiseAlert(tx, { actor: principal, kind: 'pickup_code_guessing', details });
  return locked(until);
}

async function saveGuard(tx: Tx, id: string, failures: number, lockedUntil: Date | null): Promise<void> {
  await tx
    .insertInto('pickup_code_guards')
    .values({ fulfillment_id: id, failures, locked_until: lockedUntil })
    .onConflict((oc) => oc.column('fulfillment_id').doUpdateSet({ failures, locked_until: lockedUntil }))
    .execute();
}
