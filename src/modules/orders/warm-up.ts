/**
 * The order path's warm-up: before the server listens, it sends itself dry-run orders through the
 * whole request path (routing, auth, validation, idempotency hooks, pricing, stock reads, routing,
 * planning, serialisation), so that a flash sale opening seconds after a deploy does not meet a
 * cold process (V8 interpreting, Ajv compiling serializers, statements not yet prepared). A dry run
 * writes nothing: its principal (`dryRun`) stops placeOrder before the write, it carries no
 * Idempotency-Key, and no customer. Only reads reach the database.
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../../platform/auth/roles';
import type { AppContext } from '../../platform/http/context';
import { firstSkus } from '../catalog/public';
import { routingLocations } from '../locations/public';

const WARM_UP_PRINCIPAL: Principal = {
  keyId: 'warm-up',
  name: 'warm-up',
  role: 'integration',
  locationId: null,
  channel: 'app', // as an app's key: the channel of most online orders
  scopes: ['orders'],
  dryRun: true,
};

/** Sends `requests` dry-run pickup orders (one unit of the first SKUs, at the open stores); returns how many were answered 201 and 409. */
export async function warmUpOrderPath(
  app: FastifyInstance,
  ctx: AppContext,
  requests: number,
): Promise<{ placed: number; refused: number }> {
  const skus = await firstSkus(ctx.database.db, 8);
  const stores = (await routingLocations(ctx.database.db)).filter(
    (l) => l.can_pickup && l.status !== 'closed' && l.type !== 'dc',
  );
  const tally = { placed: 0, refused: 0 };
  if (!skus.length || !stores.length) return tally;
  const secret = crypto.randomBytes(32).toString('hex');
  const forget = app.admitInProcess(secret, WARM_UP_PRINCIPAL);
  try {
    for (let i = 0; i < requests; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { authorization: `Bearer ${secret}` },
        payload: {
          channel: 'app',
          lines: [{ sku: skus[i % skus.length], qty: 1 }],
          fulfillment: { type: 'pickup', location_id: stores[i % stores.length].id },
        },
      });
      if (res.statusCode === 201) tally.placed++;
      else tally.refused++;
    }
  } finally {
    forget();
  }
  return tally;
}
