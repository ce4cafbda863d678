import { loginSchema, passwordChangeSchema, permissionsOf, sessionInfoSchema, type SessionInfo } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { loginRetryAfter, recordLoginAttempt } from '../auth/login-limit.ts';
import { dummyHash, hashPassword, verifyPassword } from '../auth/password.ts';
import { permissionsOfPrincipal, type Principal } from '../auth/principal.ts';
import { clearSessionCookie, createSession, setSessionCookie, type NewSession } from '../auth/sessions.ts';
import type { AppContext } from '../context.ts';
import { adminEmails, deleteSession, deleteSessionsOf, findUser, findUserByEmail, markSignedIn, setPasswordHash, type UserRow } from '../db/accounts.ts';
import { lockUntilCommit, withTransaction } from '../db/pool.ts';
import { conflict, HttpError, invalid } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';

const tag = 'Auth';

export function sessionInfo(principal: Exclude<Principal, { kind: 'anonymous' | 'portal' }>): SessionInfo {
  return principal.kind === 'user'
    ? { kind: 'user', user: { id: principal.id, email: principal.email, role: principal.role }, permissions: permissionsOf(principal.role), csrfToken: principal.csrfToken }
    : { kind: 'apiKey', user: { id: principal.id, email: principal.name, role: principal.role }, permissions: permissionsOfPrincipal(principal), csrfToken: null };
}

type LoginOutcome = { kind: 'blocked'; wait: number } | { kind: 'failed' } | { kind: 'disabled'; admins: string[] } | { kind: 'ok'; user: UserRow; session: NewSession };

const tooManyAttempts = (wait: number, what: string) => new HttpError(429, 'too_many_attempts', `${what}; try again in ${Math.ceil(wait / 60)} minute(s)`);

export function authRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route(
    {
      method: 'post',
      path: '/auth/login',
      access: { public: 'signing in' },
      tag,
      summary: 'Sign in: sets the session cookie and answers the CSRF token',
      body: loginSchema,
      response: sessionInfoSchema,
    },
    async ({ req, res, body }) => {
      const ip = req.ip;
      const outcome = await withTransaction(ctx.pool, async (tx): Promise<LoginOutcome> => {
        // One attempt per email at a time, so parallel guesses cannot slip past the count.
        await lockUntilCommit(tx, `login:${body.email}`);
        const wait = await loginRetryAfter(tx, body.email, ip);
        if (wait !== undefined) return { kind: 'blocked', wait };
        const user = await findUserByEmail(tx, body.email);
        const passwordOk = await verifyPassword(body.password, user?.password_hash ?? (await dummyHash()));
        const ok = passwordOk && user !== undefined && !user.disabled;
        await recordLoginAttempt(tx, body.email, ip, ok);
        const actor = { label: user?.email ?? body.email, id: user?.id, ip };
        if (!ok) {
          const reason = !user ? 'unknown email' : !passwordOk ? 'wrong password' : 'account disabled';
          await recordAudit(tx, actor, { action: 'auth.login_failed', targetType: 'user', targetId: user?.id, after: { email: body.email, reason } });
          // Only someone who knows the password learns that the account exists and is disabled,
          // and whom to ask: anyone else reads the same "wrong email or password".
          if (reason === 'account disabled') return { kind: 'disabled', admins: await adminEmails(tx) };
          return { kind: 'failed' };
        }
        const session = await createSession(tx, user.id, { ip, userAgent: req.headers['user-agent'] });
        await markSignedIn(tx, user.id);
        await recordAudit(tx, actor, { action: 'auth.login', targetType: 'user', targetId: user.id });
        return { kind: 'ok', user, session };
      });
      if (outcome.kind === 'blocked') {
        res.setHeader('Retry-After', String(outcome.wait));
        throw tooManyAttempts(outcome.wait, 'too many failed sign-ins for this account');
      }
      if (outcome.kind === 'failed') throw new HttpError(401, 'invalid_credentials', 'wrong email or password');
      if (outcome.kind === 'disabled') {
        const ask = outcome.admins.length > 0 ? `ask an admin (${outcome.admins.join(', ')}) to enable it` : 'ask an admin to enable it';
        throw new HttpError(403, 'account_disabled', `this account is disabled; ${ask}`);
      }
      setSessionCookie(req, res, outcome.session);
      const { user, session } = outcome;
      return sessionInfo({ kind: 'user', id: user.id, email: user.email, role: user.role, sessionId: session.id, csrfToken: session.csrfToken });
    },
  );

  route(
    { method: 'post', path: '/auth/logout', access: { public: 'signing out works even with an expired session' }, tag, summary: 'Sign out: ends the session', status: 204 },
    async ({ req, res }) => {
      const p = req.principal;
      if (p.kind === 'user') {
        await withTransaction(ctx.pool, async (tx) => {
          await deleteSession(tx, p.sessionId);
          await recordAudit(tx, actorFrom(req), { action: 'auth.logout', targetType: 'user', targetId: p.id });
        });
      }
      clearSessionCookie(req, res);
    },
  );

  route(
    { method: 'get', path: '/auth/me', access: 'signedIn', tag, summary: 'Who is calling, with permissions and the CSRF token', response: sessionInfoSchema },
    ({ req, res }) => {
      res.setHeader('Cache-Control', 'no-store');
      return sessionInfo(req.principal as Exclude<Principal, { kind: 'anonymous' | 'portal' }>);
    },
  );

  route(
    {
      method: 'get',
      path: '/auth/admins',
      access: 'signedIn',
      tag,
      summary: 'Whom to ask for a permission: the emails of the enabled admins (at most three)',
      response: z.object({ data: z.array(z.string()) }),
    },
    async () => ({ data: await adminEmails(ctx.pool) }),
  );

  route(
    {
      method: 'post',
      path: '/auth/password',
      access: 'signedIn',
      tag,
      summary: 'Change your own password (needs the current one); signs out your other sessions',
      body: passwordChangeSchema,
      status: 204,
    },
    async ({ req, res, body }) => {
      const p = req.principal;
      if (p.kind !== 'user') throw new HttpError(400, 'not_a_person', 'API keys have no password; revoke the key and create another instead');
      // Wrong current passwords count as failed sign-ins: a stolen session cannot guess the password.
      const current = await findUser(ctx.pool, p.id);
      if (!current) throw new HttpError(401, 'unauthenticated', 'your account no longer exists');
      const wait = await loginRetryAfter(ctx.pool, current.email.toLowerCase(), req.ip);
      if (wait !== undefined) {
        res.setHeader('Retry-After', String(wait));
        throw tooManyAttempts(wait, 'too many wrong passwords');
      }
      if (!(await verifyPassword(body.currentPassword, current.password_hash))) {
        await recordLoginAttempt(ctx.pool, current.email.toLowerCase(), req.ip, false);
        throw invalid('the current password is wrong', [{ path: 'currentPassword', message: 'wrong password' }]);
      }
      await withTransaction(ctx.pool, async (tx) => {
        const user = await findUser(tx, p.id, true);
        if (!user || user.password_hash !== current.password_hash) throw conflict('your password was changed meanwhile; sign in again');
        await setPasswordHash(tx, user.id, await hashPassword(body.newPassword), true);
        // Whoever else held a session of this account (a stolen cookie?) is signed out.
        const otherSessionsEnded = await deleteSessionsOf(tx, user.id, p.sessionId);
        await recordAudit(tx, actorFrom(req), { action: 'user.password_changed', targetType: 'user', targetId: user.id, after: { otherSessionsEnded } });
      });
    },
  );

  return router;
}
