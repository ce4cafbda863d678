import { apiKeyCreatedSchema, apiKeyCreateSchema, apiKeySchema } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { forgetApiKeys, newApiKey } from '../auth/api-keys.ts';
import type { Principal } from '../auth/principal.ts';
import { newId } from '../auth/tokens.ts';
import type { AppContext } from '../context.ts';
import { apiKeyOwner, findApiKey, insertApiKey, listApiKeys, revokeApiKey } from '../db/accounts.ts';
import { withTransaction } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';
import { notFound } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';

const tag = 'API keys';
const access = 'apikeys:manage';

export function apiKeysRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route(
    { method: 'get', path: '/api-keys', access, tag, summary: 'List API keys with their last use (never the keys)', response: z.object({ data: z.array(apiKeySchema) }) },
    async () => ({ data: await listApiKeys(ctx.pool) }),
  );

  route(
    {
      method: 'post',
      path: '/api-keys',
      access,
      tag,
      summary: 'Create an API key: the answer holds the key, shown this once',
      body: apiKeyCreateSchema,
      response: apiKeyCreatedSchema,
      status: 201,
    },
    async ({ req, res, body }) => {
      const { key, hash, prefix } = newApiKey();
      const actor = actorFrom(req);
      const created = await withTransaction(ctx.pool, async (tx) => {
        const ownerUserId = await ownerOf(tx, req.principal);
        const apiKey = await insertApiKey(tx, { id: newId('key'), name: body.name, scope: body.scope, hash, prefix, createdBy: actor.label, ownerUserId });
        await recordAudit(tx, actor, { action: 'apikey.created', targetType: 'api_key', targetId: apiKey.id, after: { name: apiKey.name, scope: apiKey.scope, prefix } });
        return apiKey;
      });
      res.setHeader('Cache-Control', 'no-store');
      return { ...created, key };
    },
  );

  route({ method: 'delete', path: '/api-keys/:id', access, tag, summary: 'Revoke an API key', status: 204 }, async ({ req, params }) => {
    const id = params.id!;
    await withTransaction(ctx.pool, async (tx) => {
      const apiKey = await findApiKey(tx, id, true);
      if (!apiKey) throw notFound('API key', id);
      if (apiKey.revokedAt) return;
      await revokeApiKey(tx, id);
      await recordAudit(tx, actorFrom(req), {
        action: 'apikey.revoked',
        targetType: 'api_key',
        targetId: id,
        before: { name: apiKey.name, scope: apiKey.scope, revoked: false },
        after: { name: apiKey.name, scope: apiKey.scope, revoked: true },
      });
    });
    forgetApiKeys(); // committed: this process stops trusting its cached keys at once
  });

  return router;
}

/**
 * Who a new key acts for: the signed-in person, or the owner of the API key that made it
 * (so a key cannot outlive its maker by making another one); none for TRIPLINE_API_KEY.
 */
async function ownerOf(tx: Queryable, principal: Principal): Promise<string | null> {
  if (principal.kind === 'user') return principal.id;
  if (principal.kind !== 'apiKey' || principal.id === 'env') return null;
  return apiKeyOwner(tx, principal.id);
}
