import { PORTAL_TOKEN_PREFIX } from '@tripline/shared';
import type { Request, RequestHandler } from 'express';
import { bearerToken, tagged, type Authenticator } from '../auth/middleware.ts';
import type { Principal } from '../auth/principal.ts';
import { sha256 } from '../auth/tokens.ts';
import type { Pool } from '../db/pool.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { deliveryEndpointId, useActiveLink } from './links-store.ts';

const TOKEN_SHAPE = new RegExp(`^${PORTAL_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`);

export type PortalPrincipal = Extract<Principal, { kind: 'portal' }>;

/** `Authorization: Bearer tlp_…` → the link's principal, while the link is live. */
export function portalAuthenticator(pool: Pool): Authenticator {
  return async (header) => {
    const token = bearerToken(header);
    if (!token || !TOKEN_SHAPE.test(token)) return undefined;
    const link = await useActiveLink(pool, sha256(token));
    if (!link) return undefined;
    return {
      kind: 'portal',
      id: link.id,
      name: link.name,
      endpointIds: link.endpoint_ids,
      expiresAt: link.expires_at,
      rateLimitPerMinute: link.rate_limit_per_minute,
      hitsThisMinute: link.rate_hits,
    };
  };
}

/**
 * Guards every portal route: a live portal token (401 otherwise: no token, a session or an
 * API key, an expired or revoked link), within the link's per-minute rate (429).
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

export function portalPrincipal(req: Request): PortalPrincipal {
  return req.principal as PortalPrincipal;
}

/**
 * The endpoint id of the route, if the link shows it. Any other id, existing or not,
 * answers the same 404 as a missing one: the partner learns nothing about other endpoints.
 */
export function scopedEndpointId(req: Request): string {
  const id = String(req.params.id);
  if (!portalPrincipal(req).endpointIds.includes(id)) throw notFound('endpoint', id);
  return id;
}

/** The delivery id of the route, if it belongs to one of the link's endpoints (404 otherwise, as for a missing one). */
export async function scopedDeliveryId(req: Request, pool: Pool): Promise<string> {
  const id = String(req.params.id);
  const endpointId = await deliveryEndpointId(pool, id);
  if (!endpointId || !portalPrincipal(req).endpointIds.includes(endpointId)) throw notFound('delivery', id);
  return id;
}
