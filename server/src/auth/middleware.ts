import crypto from 'node:crypto';
import { can, type Permission } from '@tripline/shared';
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.ts';
import { HttpError } from '../http/errors.ts';
import { allowed, type Principal } from './principal.ts';

export type Authenticator = (header: string | undefined, cookies: Record<string, string>) => Promise<Principal | undefined>;

/** Resolves the caller from the bearer token or session cookie; never rejects by itself. */
export function authenticate(ctx: AppContext, extra: Authenticator[] = []): RequestHandler {
  const envKey = ctx.config.apiKey ? Buffer.from(ctx.config.apiKey) : undefined;
  return async (req, _res, next) => {
    req.principal = { kind: 'anonymous' };
    const header = req.headers.authorization;
    const token = bearerToken(header);
    if (token && envKey && safeEqual(Buffer.from(token), envKey)) {
      req.principal = { kind: 'apiKey', id: 'env', name: 'TRIPLINE_API_KEY', role: 'admin', scope: 'admin', ownerRole: null };
      return next();
    }
    const cookies = parseCookies(req.headers.cookie);
    for (const auth of extra) {
      const principal = await auth(header, cookies);
      if (principal) {
        req.principal = principal;
        break;
      }
    }
    next();
  };
}

/**
 * What a route demands of its caller, attached to the handler so a test can walk the
 * router and check every route against every role (server/test/accounts/route-access.test.ts).
 */
export type RouteAccess =
  | { kind: 'permission'; permission: Permission }
  | { kind: 'signedIn' }
  | { kind: 'public'; reason: string }
  | { kind: 'portal' };
const ACCESS = Symbol.for('tripline.routeAccess');

export function tagged(handler: RequestHandler, access: RouteAccess): RequestHandler {
  Object.defineProperty(handler, ACCESS, { value: access });
  return handler;
}

/** The access rule a handler was tagged with by authorize / requireSignedIn / allowAnonymous. */
export function routeAccessOf(handler: unknown): RouteAccess | undefined {
  return typeof handler === 'function' ? ((handler as unknown as Record<symbol, RouteAccess>)[ACCESS] ?? undefined) : undefined;
}

const unauthenticated = () => new HttpError(401, 'unauthenticated', 'sign in, or send an API key as "Authorization: Bearer <key>"');

/** A partner portal token opens the portal API and nothing else. */
const portalRefused = () => new HttpError(403, 'forbidden', 'a partner portal token only opens /api/v1/portal/*');

/** 401 for nobody, 403 for someone whose role lacks the permission (and for portal tokens). */
export function authorize(permission: Permission): RequestHandler {
  return tagged(
    (req, _res, next) => {
      if (req.principal.kind === 'anonymous') throw unauthenticated();
      if (req.principal.kind === 'portal') throw portalRefused();
      if (!allowed(req.principal, permission)) {
        const p = req.principal;
        const who =
          p.kind === 'apiKey' && p.ownerRole !== null && can(p.role, permission)
            ? `this API key is limited by its owner's current role (${p.ownerRole})`
            : `your role (${p.role})`;
        throw new HttpError(403, 'forbidden', `${who} may not do this: needs ${permission}`);
      }
      next();
    },
    { kind: 'permission', permission },
  );
}

/** Any signed-in caller (person or API key), whatever the role: 401 for nobody. */
export function requireSignedIn(): RequestHandler {
  return tagged(
    (req, _res, next) => {
      if (req.principal.kind === 'anonymous') throw unauthenticated();
      if (req.principal.kind === 'portal') throw portalRefused();
      next();
    },
    { kind: 'signedIn' },
  );
}

/**
 * Guards every partner portal route: a live portal token (401 otherwise: no token, a session
 * or an API key, an expired or revoked link), within the link's per-minute rate (429).
 */
export function requirePortal(): RequestHandler {
  return tagged(
    (req, res, next) => {
      const p = req.principal;
      if (p.kind !== 'portal') {
        throw new HttpError(401, 'unauthenticated', 'send the portal link\'s token as "Authorization: Bearer tlp_…"; an expired or revoked link no longer opens the portal');
      }
      if (p.hitsThisMinute > p.rateLimitPerMinute) {
        res.setHeader('Retry-After', String(60 - new Date().getUTCSeconds()));
        throw new HttpError(429, 'rate_limited', `this portal link may make ${p.rateLimitPerMinute} requests a minute; try again shortly`);
      }
      next();
    },
    { kind: 'portal' },
  );
}

/** Marks a route as deliberately open to anonymous callers (sign-in); does nothing else. */
export function allowAnonymous(reason: string): RequestHandler {
  return tagged((_req, _res, next) => next(), { kind: 'public', reason });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF protection for cookie-authenticated writes: the per-session token (from /auth/me or
 * the login answer) must come back in `X-CSRF-Token`. A cross-site page can make the browser
 * send the cookie but cannot read the token. API keys are not sent by browsers on their own,
 * so bearer callers are exempt. Mounted right after `authenticate`.
 */
export const requireCsrf: RequestHandler = (req, _res, next) => {
  if (req.principal.kind !== 'user' || SAFE_METHODS.has(req.method)) return next();
  const sent = req.headers['x-csrf-token'];
  if (typeof sent !== 'string' || !safeEqual(Buffer.from(sent), Buffer.from(req.principal.csrfToken))) {
    throw new HttpError(403, 'csrf_failed', 'missing or wrong X-CSRF-Token header: read the token from GET /api/v1/auth/me and send it with every write');
  }
  next();
};

export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of header?.split(';') ?? []) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    try {
      out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      /* a malformed cookie from some other app on the domain: ignore it, not the request */
    }
  }
  return out;
}

/** The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 9110). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}
