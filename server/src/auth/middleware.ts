import crypto from 'node:crypto';
import type { Permission } from '@tripline/shared';
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
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (token && envKey && safeEqual(Buffer.from(token), envKey)) {
      req.principal = { kind: 'apiKey', id: 'env', name: 'TRIPLINE_API_KEY', role: 'admin' };
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

/** 401 for nobody, 403 for someone whose role lacks the permission. */
export function authorize(permission: Permission): RequestHandler {
  return (req, _res, next) => {
    if (req.principal.kind === 'anonymous') {
      throw new HttpError(401, 'unauthenticated', 'sign in, or send an API key as "Authorization: Bearer <key>"');
    }
    if (!allowed(req.principal, permission)) {
      throw new HttpError(403, 'forbidden', `your role (${req.principal.role}) may not do this: needs ${permission}`);
    }
    next();
  };
}

export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of header?.split(';') ?? []) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}
