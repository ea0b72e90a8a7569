import { forbidden } from '../http/errors';
import type { Principal } from './roles';

/** An integration key acts for its own channel only; `what` says what it does ("places orders"). */
export function assertOwnChannel(p: Principal, channel: string, what: string): void {
  if (p.role === 'integration' && p.channel !== channel)
    throw forbidden(`this key ${what} for channel ${p.channel} only`);
}
