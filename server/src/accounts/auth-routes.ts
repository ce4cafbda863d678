import { loginSchema, passwordChangeSchema, permissionsOf, sessionInfoSchema, type SessionInfo } from '@tripline/shared';
import { Router } from 'express';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { allowAnonymous, requireSignedIn } from '../auth/middleware.ts';
import { loginRetryAfter, recordLoginAttempt } from '../auth/login-limit.ts';
import { dummyHash, hashPassword, verifyPassword } from '../auth/password.ts';
import type { Principal } from '../auth/principal.ts';
import { clearSessionCookie, createSession, setSessionCookie, type NewSession } from '../auth/sessions.ts';
import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { conflict, HttpError, invalid, parseOr422 } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import { findUser, findUserByEmail, type UserRow } from './users.ts';

describeRoute({ method: 'post', path: '/api/v1/auth/login', tag: 'Auth', auth: false, summary: 'Sign in: sets the session cookie and answers the CSRF token', body: loginSchema, response: sessionInfoSchema });
describeRoute({ method: 'post', path: '/api/v1/auth/logout', tag: 'Auth', auth: false, summary: 'Sign out: ends the session', status: 204 });
describeRoute({ method: 'get', path: '/api/v1/auth/me', tag: 'Auth', summary: 'Who is calling, with permissions and the CSRF token', response: sessionInfoSchema });
describeRoute({ method: 'post', path: '/api/v1/auth/password', tag: 'Auth', summary: 'Change your own password (needs the current one); signs out your other sessions', body: passwordChangeSchema, status: 204 });

export function sessionInfo(principal: Exclude<Principal, { kind: 'anonymous' | 'portal' }>): SessionInfo {
  return principal.kind === 'user'
    ? { kind: 'user', user: { id: principal.id, email: principal.email, role: principal.role }, permissions: permissionsOf(principal.role), csrfToken: principal.csrfToken }
    : { kind: 'apiKey', user: { id: principal.id, email: principal.name, role: principal.role }, permissions: permissionsOf(principal.role), csrfToken: null };
}

type LoginOutcome = { kind: 'blocked'; wait: number } | { kind: 'failed' } | { kind: 'ok'; user: UserRow; session: NewSession };

export function authRouter(ctx: AppContext): Router {
  const router = Router();

  router.post('/auth/login', allowAnonymous('signing in'), async (req, res) => {
    const body = parseOr422(loginSchema, req.body);
    const ip = req.ip;
    const outcome = await withTransaction(ctx.pool, async (tx): Promise<LoginOutcome> => {
      // One attempt per email at a time, so parallel guesses cannot slip past the count.
      await tx.query(`select pg_advisory_xact_lock(hashtext($1))`, [`login:${body.email}`]);
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
        return { kind: 'failed' };
      }
      const session = await createSession(tx, user.id, { ip, userAgent: req.headers['user-agent'] });
      await tx.query(`update users set last_login_at = now() where id = $1`, [user.id]);
      await recordAudit(tx, actor, { action: 'auth.login', targetType: 'user', targetId: user.id });
      return { kind: 'ok', user, session };
    });
    if (outcome.kind === 'blocked') {
      res.setHeader('Retry-After', String(outcome.wait));
      throw new HttpError(429, 'too_many_attempts', `too many failed sign-ins for this account; try again in ${Math.ceil(outcome.wait / 60)} minute(s)`);
    }
    if (outcome.kind === 'failed') throw new HttpError(401, 'invalid_credentials', 'wrong email or password');
    setSessionCookie(req, res, outcome.session);
    const { user, session } = outcome;
    res.json(
      sessionInfo({ kind: 'user', id: user.id, email: user.email, role: user.role, sessionId: session.id, csrfToken: session.csrfToken }),
    );
  });

  router.post('/auth/logout', allowAnonymous('signing out works even with an expired session'), async (req, res) => {
    const p = req.principal;
    if (p.kind === 'user') {
      await withTransaction(ctx.pool, async (tx) => {
        await tx.query(`delete from sessions where id = $1`, [p.sessionId]);
        await recordAudit(tx, actorFrom(req), { action: 'auth.logout', targetType: 'user', targetId: p.id });
      });
    }
    clearSessionCookie(req, res);
    res.status(204).end();
  });

  router.get('/auth/me', requireSignedIn(), (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(sessionInfo(req.principal as Exclude<Principal, { kind: 'anonymous' | 'portal' }>));
  });

  router.post('/auth/password', requireSignedIn(), async (req, res) => {
    const body = parseOr422(passwordChangeSchema, req.body);
    const p = req.principal;
    if (p.kind !== 'user') throw new HttpError(400, 'not_a_person', 'API keys have no password; revoke the key and create another instead');
    // Wrong current passwords count as failed sign-ins: a stolen session cannot guess the password.
    const current = await findUser(ctx.pool, p.id);
    if (!current) throw new HttpError(401, 'unauthenticated', 'your account no longer exists');
    const wait = await loginRetryAfter(ctx.pool, current.email.toLowerCase(), req.ip);
    if (wait !== undefined) {
      res.setHeader('Retry-After', String(wait));
      throw new HttpError(429, 'too_many_attempts', `too many wrong passwords; try again in ${Math.ceil(wait / 60)} minute(s)`);
    }
    if (!(await verifyPassword(body.currentPassword, current.password_hash))) {
      await recordLoginAttempt(ctx.pool, current.email.toLowerCase(), req.ip, false);
      throw invalid('the current password is wrong', [{ path: 'currentPassword', message: 'wrong password' }]);
    }
    await withTransaction(ctx.pool, async (tx) => {
      const user = await findUser(tx, p.id, true);
      if (!user || user.password_hash !== current.password_hash) throw conflict('your password was changed meanwhile; sign in again');
      await tx.query(`update users set password_hash = $2, password_changed_at = now(), updated_at = now() where id = $1`, [
        user.id,
        await hashPassword(body.newPassword),
      ]);
      // Whoever else held a session of this account (a stolen cookie?) is signed out.
      const { rows } = await tx.query(`delete from sessions where user_id = $1 and id <> $2 returning id`, [user.id, p.sessionId]);
      await recordAudit(tx, actorFrom(req), {
        action: 'user.password_changed',
        targetType: 'user',
        targetId: user.id,
        after: { otherSessionsEnded: rows.length },
      });
    });
    res.status(204).end();
  });

  return router;
}
