import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { ModuleRoutes } from '../http/types';
import { errors, StringEnum, Id } from '../http/schemas';
import { AppError, conflict, notFound, unprocessable } from '../http/errors';
import { audit } from '../audit/audit';
import { transact } from '../db/transaction';
import { ROLES, type Principal } from './roles';
import {
  clearCookieHeader,
  createUser,
  CSRF_HEADER,
  getUser,
  listUsers,
  login,
  logout,
  MIN_PASSWORD_LENGTH,
  sessionCookie,
  setCookieHeader,
  updateUser,
  USER_ROLES,
  type UserRole,
} from './users';

const UserView = Type.Object({
  id: Type.String(),
  username: Type.String(),
  display_name: Type.String(),
  role: Type.String(),
  location_id: Type.Union([Type.String(), Type.Null()]),
  disabled: Type.Boolean(),
  locked_until: Type.Union([Type.String(), Type.Null()]),
  last_login_at: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
});

const Username = Type.String({
  minLength: 2,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]*$',
  description: 'letters, digits and . _ @ - (compared case-insensitively)',
});
const Password = Type.String({
  minLength: 1,
  maxLength: 256,
  description: `at least ${MIN_PASSWORD_LENGTH} characters`,
});
const DisplayName = Type.String({ minLength: 1, maxLength: 100 });

function checkPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH)
    throw unprocessable('password_too_short', `a password has at least ${MIN_PASSWORD_LENGTH} characters`, 'password');
}

const secure = (req: FastifyRequest) => req.protocol === 'https' || req.headers['x-forwarded-proto'] === 'https';

/** What the audit log names as the actor of a sign-in: the account, never its username. */
const actorOf = (user: { id: string; role: string; location_id: string | null }): Principal => ({
  keyId: user.id,
  name: '',
  role: user.role as UserRole,
  locationId: user.location_id,
  channel: null,
  scopes: [],
});

export const userRoutes: ModuleRoutes = (ctx) => async (app) => {
  const admin = { roles: ['admin'] as const };
  const db = ctx.database.db;

  async function checkBinding(role: UserRole, locationId: string | null | undefined): Promise<void> {
    if (role === 'store_staff' && !locationId)
      throw unprocessable('location_required', 'a store_staff account is bound to one location', 'location_id');
    if (locationId && !(await ctx.locationExists(db, locationId)))
      throw unprocessable('unknown_location', `location ${locationId} does not exist`, 'location_id');
  }

  app.post(
    '/users',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Create a staff account (signs in to the console with username and password)',
        description:
          'Roles and store binding as for API keys: a store_staff account acts for its location only. ' +
          `The password has at least ${MIN_PASSWORD_LENGTH} characters and is stored as a scrypt hash.`,
        body: Type.Object(
          {
            username: Username,
            password: Password,
            role: StringEnum(USER_ROLES),
            location_id: Type.Optional(Id),
            display_name: DisplayName,
          },
          {
            additionalProperties: false,
            examples: [
              {
                username: 'renmin.till3',
                password: 'correct horse battery',
                role: 'store_staff',
                location_id: 'st-renmin',
                display_name: '人民广场店 3 号收银',
              },
            ],
          },
        ),
        response: { 201: UserView, ...errors(409, 422) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      checkPassword(b.password);
      await checkBinding(b.role, b.location_id);
      const user = await transact(db, async (tx) => {
        const u = await createUser(tx, {
          username: b.username,
          password: b.password,
          role: b.role,
          locationId: b.location_id ?? null,
          displayName: b.display_name,
        });
        if (!u) throw conflict('username_taken', 'this username is already taken', 'username');
        await audit(tx, req.principal, {
          action: 'user.create',
          subject: u.id,
          details: { role: u.role, location_id: u.location_id },
        });
        return u;
      });
      return reply.code(201).send(user);
    },
  );

  app.get(
    '/users',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Every staff account, disabled ones too (never the passwords)',
        response: { 200: Type.Object({ items: Type.Array(UserView) }), ...errors() },
      },
    },
    async () => ({ items: await listUsers(db) }),
  );

  app.get(
    '/users/:id',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'One staff account',
        params: Type.Object({ id: Id }),
        response: { 200: UserView, ...errors(404) },
      },
    },
    async (req) => {
      const u = await getUser(db, req.params.id);
      if (!u) throw notFound('user', 'id');
      return u;
    },
  );

  app.patch(
    '/users/:id',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Change a staff account: role and store, display name, disable or enable, reset the password',
        description:
          'Disabling the account or setting a new password signs it out everywhere (its sessions are revoked); ' +
          'a new password also lifts a lockout.',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            display_name: Type.Optional(DisplayName),
            role: Type.Optional(StringEnum(USER_ROLES)),
            location_id: Type.Optional(Type.Union([Id, Type.Null()])),
            disabled: Type.Optional(Type.Boolean()),
            password: Type.Optional(Password),
          },
          {
            additionalProperties: false,
            minProperties: 1,
            examples: [{ disabled: true }, { password: 'a new long passphrase' }],
          },
        ),
        response: { 200: UserView, ...errors(404, 422) },
      },
    },
    async (req) => {
      const b = req.body;
      if (b.password !== undefined) checkPassword(b.password);
      const current = await getUser(db, req.params.id);
      if (!current) throw notFound('user', 'id');
      const role = b.role ?? current.role;
      const locationId = b.location_id !== undefined ? b.location_id : current.location_id;
      if (b.role !== undefined || b.location_id !== undefined) await checkBinding(role, locationId);
      if (req.params.id === req.principal.userId && (b.disabled === true || (b.role && b.role !== 'admin')))
        throw unprocessable(
          'own_account',
          'an admin may not disable or demote their own account',
          b.disabled ? 'disabled' : 'role',
        );
      const r = await transact(db, async (tx) => {
        const done = await updateUser(tx, req.params.id, {
          displayName: b.display_name,
          role: b.role,
          locationId: b.location_id,
          disabled: b.disabled,
          password: b.password,
        });
        if (!done) return null;
        await audit(tx, req.principal, {
          action: b.password !== undefined ? 'user.password_reset' : 'user.update',
          subject: done.user.id,
          // which fields changed, never their values' personal parts
          details: {
            fields: Object.keys(b).sort(),
            role: done.user.role,
            location_id: done.user.location_id,
            disabled: done.user.disabled,
            sessions_revoked: done.revoked,
          },
        });
        return done;
      });
      if (!r) throw notFound('user', 'id');
      app.forgetPrincipals();
      return r.user;
    },
  );

  app.post(
    '/auth/login',
    {
      config: { roles: [], public: true, idempotent: false },
      schema: {
        tags: ['platform'],
        summary: 'Sign in with username and password: sets the session cookie',
        description:
          'Needs no key. Answers the account and when its session expires, and sets an httpOnly, SameSite=Strict session cookie. ' +
          'A wrong username or password is 401 with one message; after 5 failures within 15 minutes the account is ' +
          'locked for 15 minutes (429 with Retry-After). Writes made with the cookie need the header ' +
          `\`${CSRF_HEADER}: 1\`.`,
        body: Type.Object(
          { username: Type.String({ minLength: 1, maxLength: 100 }), password: Password },
          { additionalProperties: false, examples: [{ username: 'admin', password: 'the printed password' }] },
        ),
        response: {
          200: Type.Object({ user: UserView, expires_at: Type.String() }),
          ...errors(429),
        },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const outcome = await transact(db, async (tx) => {
        const o = await login(tx, username, password, ctx.config.sessionTtlSeconds);
        if (o.kind === 'ok') {
          await audit(tx, actorOf(o.user), { action: 'auth.login', subject: o.user.id });
        } else if (o.kind === 'locked') {
          await audit(tx, null, { action: 'auth.login_refused_locked', subject: o.userId });
        } else {
          await audit(tx, null, { action: 'auth.login_failed', subject: o.userId, details: { reason: o.reason } });
          if (o.lockedNow)
            await audit(tx, null, {
              action: 'auth.lockout',
              subject: o.userId,
              details: { failures: 5, minutes: 15 },
            });
        }
        return o;
      });
      if (outcome.kind === 'locked') {
        reply.header('retry-after', String(outcome.retryAfterSeconds));
        throw new AppError(429, 'account_locked', 'too many failed sign-ins: try again later');
      }
      if (outcome.kind === 'failed') throw new AppError(401, 'invalid_credentials', 'wrong username or password');
      reply.header('set-cookie', setCookieHeader(outcome.token, outcome.expiresAt, secure(req)));
      reply.header('cache-control', 'no-store');
      return { user: outcome.user, expires_at: outcome.expiresAt.toISOString() };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { roles: [], public: true, idempotent: false },
      schema: {
        tags: ['platform'],
        summary: 'Sign out: revokes the session of the cookie and clears it',
        description: `Needs no key; needs the header \`${CSRF_HEADER}: 1\` when a session cookie is sent.`,
        response: { 200: Type.Object({ signed_out: Type.Boolean() }), ...errors() },
      },
    },
    async (req, reply) => {
      const token = sessionCookie(req.headers.cookie);
      let signedOut = false;
      if (token) {
        if (req.headers[CSRF_HEADER] !== '1')
          throw new AppError(
            403,
            'csrf_header_required',
            `signing out with the session cookie needs the header ${CSRF_HEADER}: 1`,
          );
        signedOut = await transact(db, async (tx) => {
          const userId = await logout(tx, token);
          if (userId) await audit(tx, null, { action: 'auth.logout', subject: userId });
          return userId !== null;
        });
        app.forgetPrincipals();
      }
      reply.header('set-cookie', clearCookieHeader(secure(req)));
      return { signed_out: signedOut };
    },
  );

  app.get(
    '/auth/me',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['platform'],
        summary: 'The signed-in staff account and when its session expires (null for an API key)',
        response: {
          200: Type.Object({
            user: Type.Union([UserView, Type.Null()]),
            expires_at: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(),
        },
      },
    },
    async (req) => {
      const p = req.principal;
      if (!p.userId) return { user: null, expires_at: null };
      return { user: await getUser(db, p.userId), expires_at: p.sessionExpiresAt?.toISOString() ?? null };
    },
  );
};
