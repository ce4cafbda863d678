import { PORTAL_TOKEN_PREFIX } from '@tripline/shared';
import type { Request } from 'express';
import { bearerToken, type Authenticator } from '../auth/middleware.ts';
import type { Principal } from '../auth/principal.ts';
import { sha256 } from '../auth/tokens.ts';
import type { Pool } from '../db/pool.ts';
import { deliveryEndpointId, useActiveLink } from '../db/portal.ts';
import { notFound } from '../http/errors.ts';

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
