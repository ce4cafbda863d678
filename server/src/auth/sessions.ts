import crypto from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';
import type { Queryable } from '../db/queryable.ts';
import type { Pool } from '../db/pool.ts';
import { deleteEndedSessions, findLiveSession, insertSession, touchSession } from '../db/sessions.ts';
import type { Authenticator } from './middleware.ts';
import type { Principal } from './principal.ts';
import { newId, randomToken, sha256 } from './tokens.ts';

export const SESSION_COOKIE = 'tripline_session';
/** A session ends after 12 hours without a request, and 7 days after sign-in whatever happens. */
export const SESSION_IDLE_MS = 12 * 3600_000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 3600_000;
/** last_seen_at is written at most this often per session, not on every request. */
const TOUCH_EVERY_MS = 60_000;

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The CSRF token of a session, derived from its cookie value: nothing more to store, the
 * same in every API process, and unreadable to a page that cannot read the HttpOnly cookie.
 */
export function csrfTokenFor(sessionToken: string): string {
  return crypto.createHmac('sha256', sessionToken).update('tripline-csrf-v1').digest('base64url');
}

export interface NewSession {
  id: string;
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(db: Queryable, userId: string, meta: { ip?: string; userAgent?: string }): Promise<NewSession> {
  const id = newId('ses');
  const token = randomToken();
  const expiresAt = new Date(Date.now() + SESSION_ABSOLUTE_MS);
  await insertSession(db, { id, tokenHash: sha256(token), userId, expiresAt, ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null });
  // Housekeeping while we are here: this user's ended sessions.
  await deleteEndedSessions(db, userId, SESSION_IDLE_MS);
  return { id, token, csrfToken: csrfTokenFor(token), expiresAt };
}

export function setSessionCookie(req: Request, res: Response, session: NewSession): void {
  res.cookie(SESSION_COOKIE, session.token, { ...cookieOptions(req), maxAge: SESSION_ABSOLUTE_MS });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, cookieOptions(req));
}

/** HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site writes), Secure over HTTPS. */
function cookieOptions(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' };
}

export function sessionTokenFrom(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=');
  }
  return undefined;
}

/** Resolves a session cookie to its user. Requests that carry an Authorization header are left to the key authenticators. */
export function sessionAuthenticator(pool: Pool): Authenticator {
  return async (header, cookies) => {
    const token = cookies[SESSION_COOKIE];
    if (header || !token || !TOKEN_SHAPE.test(token)) return undefined;
    const row = await findLiveSession(pool, sha256(token), SESSION_IDLE_MS, TOUCH_EVERY_MS);
    if (!row) return undefined;
    if (row.stale) await touchSession(pool, row.id);
    const principal: Principal = {
      kind: 'user',
      id: row.user_id,
      email: row.email,
      role: row.role,
      sessionId: row.id,
      csrfToken: csrfTokenFor(token),
    };
    return principal;
  };
}
