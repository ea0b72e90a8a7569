import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../db/database';
import { forbidden } from '../http/errors';
import type { Principal } from './roles';
import type { Scope } from './scopes';

/**
 * The one authorization layer. A route declares in its config who may call it (`roles`), what a
 * key must hold (`scope`) and what it acts on (`acts`: the path parameter naming an order, a
 * fulfilment or a location's stock). Everything is decided in onRequest, right after the key is
 * authenticated and before the body is read, so a caller without the right gets 403, never a
 * validation error. src/platform/auth/matrix.ts documents the outcome of every route.
 */
export type ResourceKind = 'order' | 'fulfilment' | 'location';

export interface Acts {
  kind: ResourceKind;
  /** The path parameter that names the resource. */
  param: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A scope the key must hold (src/platform/auth/scopes.ts). */
    scope?: Scope;
    /** What the route acts on: store staff and integration keys only on their own. */
    acts?: Acts;
  }
}

/** Who an order or fulfilment belongs to: the channel it was sold in, the stores that sold or fulfil it. */
export interface Owner {
  channel: string;
  locations: string[];
  customerId: string | null;
}

type OwnerLookup = (db: Queryable, id: string) => Promise<Owner | null>;
const lookups = new Map<ResourceKind, OwnerLookup>();

/** The owning module tells the policy who owns its resources (platform code does not import modules). */
export function registerOwnerLookup(kind: Exclude<ResourceKind, 'location'>, lookup: OwnerLookup): void {
  lookups.set(kind, lookup);
}

/** Who owns an order or fulfilment, null when it does not exist. */
export async function ownerOf(
  db: Queryable,
  kind: Exclude<ResourceKind, 'location'>,
  id: string,
): Promise<Owner | null> {
  const lookup = lookups.get(kind);
  if (!lookup) throw new Error(`no owner lookup registered for ${kind}`);
  return lookup(db, id);
}

/** Store staff act for their store (orders sold or fulfilled there), integration keys for their channel. */
export function mayActOn(p: Principal, owner: Owner): boolean {
  if (p.role === 'store_staff') return p.locationId !== null && owner.locations.includes(p.locationId);
  if (p.role === 'integration') return owner.channel === p.channel;
  return true;
}

async function checkResource(db: Queryable, p: Principal, acts: Acts, id: unknown): Promise<void> {
  // Text the database cannot take is left to validation (400); a resource that does not exist to the handler (404).
  if (typeof id !== 'string' || id.length > 200 || id.includes('\u0000')) return;
  if (acts.kind === 'location') {
    // Stock is not a channel's: integration keys need the stock scope, store staff their own store.
    if (p.role === 'store_staff' && p.locationId !== id) throw forbidden('store staff may only change their own store');
    return;
  }
  if (p.role !== 'store_staff' && p.role !== 'integration') return;
  const owner = await ownerOf(db, acts.kind, id);
  if (owner && !mayActOn(p, owner)) {
    throw forbidden(
      p.role === 'store_staff'
        ? `this ${acts.kind} belongs to another store`
        : `this key acts on channel ${p.channel}'s orders only`,
    );
  }
}

/** Role, scope and resource checks for every /v1 route; call right after the authentication hook. */
export function registerAuthorization(app: FastifyInstance, db: Queryable): void {
  app.addHook('onRoute', (route) => {
    const acts = route.config?.acts;
    if (acts && acts.kind !== 'location' && !lookups.has(acts.kind))
      throw new Error(`route ${route.method} ${route.url} acts on ${acts.kind}, which has no owner lookup`);
  });
  app.addHook('onRequest', async (req) => {
    const p = req.principal;
    if (!p) return; // public routes and pages
    const c = req.routeOptions.config;
    if (c?.roles && !c.roles.includes(p.role)) throw forbidden();
    if (c?.scope && !p.scopes.includes(c.scope)) throw forbidden(`this key does not have the scope ${c.scope}`);
    if (c?.acts) await checkResource(db, p, c.acts, (req.params as Record<string, unknown>)[c.acts.param]);
  });
}
