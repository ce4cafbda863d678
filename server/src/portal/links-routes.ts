import { PORTAL_TOKEN_PREFIX, portalLinkCreatedSchema, portalLinkCreateSchema, portalLinkQuerySchema, portalLinkSchema } from '@tripline/shared';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { newId, randomToken, sha256 } from '../auth/tokens.ts';
import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { existingEndpointIds, findLink, insertLink, listLinks, revokeLink, toPortalLink } from '../db/portal.ts';
import { invalid, notFound } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';

const tag = 'Partner portal links';

/** The page's origin as the caller reached this server (behind a loopback proxy, its Host). */
function origin(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

/** What admins and editors use to hand a partner a link. */
export function portalLinksRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route(
    {
      method: 'post',
      path: '/portal/links',
      access: 'portal:manage',
      tag,
      summary: 'Create a partner portal link for some endpoints; answers its url and token this once',
      body: portalLinkCreateSchema,
      response: portalLinkCreatedSchema,
      status: 201,
    },
    async ({ req, body: input }) => {
      const endpointIds = [...new Set(input.endpointIds)];
      const known = await existingEndpointIds(ctx.pool, endpointIds);
      const unknown = input.endpointIds.flatMap((id, i) => (known.has(id) ? [] : [{ path: `endpointIds.${i}`, message: `no endpoint "${id}"` }]));
      if (unknown.length) throw invalid(`body is invalid: ${unknown.map((d) => `${d.path}: ${d.message}`).slice(0, 3).join('; ')}`, unknown);
      const token = PORTAL_TOKEN_PREFIX + randomToken();
      const actor = actorFrom(req);
      const row = await withTransaction(ctx.pool, async (tx) => {
        const created = await insertLink(tx, {
          id: newId('pl'),
          name: input.name ?? null,
          tokenHash: sha256(token),
          tokenPrefix: token.slice(0, 10),
          endpointIds,
          frameAncestors: input.frameAncestors,
          rateLimitPerMinute: input.rateLimitPerMinute,
          expiresInMinutes: input.expiresInMinutes,
          createdBy: actor.label,
        });
        await recordAudit(tx, actor, { action: 'portal_link.create', targetType: 'portal_link', targetId: created.id, after: toPortalLink(created) });
        return created;
      });
      const link = toPortalLink(row);
      return { ...link, url: `${origin(req)}${link.pageUrl}#token=${token}`, token };
    },
  );

  route(
    {
      method: 'get',
      path: '/portal/links',
      access: 'endpoints:read',
      tag,
      summary: "Portal links, newest first (never their tokens); ?endpointId= for one endpoint's",
      query: portalLinkQuerySchema,
      response: z.object({ data: z.array(portalLinkSchema) }),
    },
    async ({ query }) => ({ data: (await listLinks(ctx.pool, query.endpointId)).map(toPortalLink) }),
  );

  route({ method: 'delete', path: '/portal/links/:id', access: 'portal:manage', tag, summary: 'Revoke a portal link at once', status: 204 }, async ({ req, params }) => {
    const id = params.id!;
    await withTransaction(ctx.pool, async (tx) => {
      const revoked = await revokeLink(tx, id);
      if (!revoked) {
        if (!(await findLink(tx, id))) throw notFound('portal link', id);
        return; // already revoked: nothing changes, nothing to audit
      }
      await recordAudit(tx, actorFrom(req), { action: 'portal_link.revoke', targetType: 'portal_link', targetId: id, after: { revokedAt: revoked.revoked_at?.toISOString() } });
    });
  });

  return router;
}
