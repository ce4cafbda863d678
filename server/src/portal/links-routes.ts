import { PORTAL_TOKEN_PREFIX, portalLinkCreatedSchema, portalLinkCreateSchema, portalLinkQuerySchema, portalLinkSchema } from '@tripline/shared';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { authorize } from '../auth/middleware.ts';
import { newId, randomToken, sha256 } from '../auth/tokens.ts';
import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { invalid, notFound, parseOr422 } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import { existingEndpointIds, findLink, insertLink, listLinks, revokeLink, toPortalLink } from './links-store.ts';

const TAG = 'Partner portal links';
describeRoute({ method: 'post', path: '/api/v1/portal/links', tag: TAG, summary: 'Create a partner portal link for some endpoints; answers its url and token this once', body: portalLinkCreateSchema, response: portalLinkCreatedSchema, status: 201 });
describeRoute({ method: 'get', path: '/api/v1/portal/links', tag: TAG, summary: 'Portal links, newest first (never their tokens); ?endpointId= for one endpoint\'s', response: z.object({ data: z.array(portalLinkSchema) }) });
describeRoute({ method: 'delete', path: '/api/v1/portal/links/:id', tag: TAG, summary: 'Revoke a portal link at once', status: 204 });

/** The page's origin as the caller reached this server (behind a loopback proxy, its Host). */
function origin(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

/** What admins and editors use to hand a partner a link. */
export function portalLinksRouter(ctx: AppContext): Router {
  const router = Router();

  router.post('/portal/links', authorize('portal:manage'), async (req, res) => {
    const input = parseOr422(portalLinkCreateSchema, req.body);
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
    res.status(201).json({ ...link, url: `${origin(req)}${link.pageUrl}#token=${token}`, token });
  });

  router.get('/portal/links', authorize('endpoints:read'), async (req, res) => {
    const q = parseOr422(portalLinkQuerySchema, req.query, 'query');
    res.json({ data: (await listLinks(ctx.pool, q.endpointId)).map(toPortalLink) });
  });

  router.delete('/portal/links/:id', authorize('portal:manage'), async (req, res) => {
    const id = String(req.params.id);
    await withTransaction(ctx.pool, async (tx) => {
      const revoked = await revokeLink(tx, id);
      if (!revoked) {
        if (!(await findLink(tx, id))) throw notFound('portal link', id);
        return; // already revoked: nothing changes, nothing to audit
      }
      await recordAudit(tx, actorFrom(req), { action: 'portal_link.revoke', targetType: 'portal_link', targetId: id, after: { revokedAt: revoked.revoked_at?.toISOString() } });
    });
    res.status(204).end();
  });

  return router;
}
