import { apiKeyCreatedSchema, apiKeyCreateSchema, apiKeySchema, type ApiKey, type ApiKeyScope } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { newApiKey } from '../auth/api-keys.ts';
import { authorize } from '../auth/middleware.ts';
import { newId } from '../auth/tokens.ts';
import type { AppContext } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { withTransaction, type PoolClient } from '../db/pool.ts';
import { notFound, parseOr422 } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';

describeRoute({ method: 'get', path: '/api/v1/api-keys', tag: 'API keys', summary: 'List API keys with their last use (never the keys)', response: z.object({ data: z.array(apiKeySchema) }) });
describeRoute({ method: 'post', path: '/api/v1/api-keys', tag: 'API keys', summary: 'Create an API key: the answer holds the key, shown this once', body: apiKeyCreateSchema, response: apiKeyCreatedSchema, status: 201 });
describeRoute({ method: 'delete', path: '/api/v1/api-keys/:id', tag: 'API keys', summary: 'Revoke an API key', status: 204 });

interface ApiKeyRow {
  id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  created_at: Date;
  created_by: string | null;
  owner_user_id: string | null;
  owner_active: boolean;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    prefix: row.prefix,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    ownerUserId: row.owner_user_id,
    ownerActive: row.owner_active,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

const COLUMNS = `k.id, k.name, k.scope, k.prefix, k.created_at, k.created_by, k.owner_user_id, k.last_used_at, k.revoked_at,
  (k.owner_user_id is null or coalesce(not u.disabled, false)) as owner_active`;
const FROM = 'api_keys k left join users u on u.id = k.owner_user_id';

export function apiKeysRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/api-keys', authorize('apikeys:manage'), async (_req, res) => {
    const { rows } = await ctx.pool.query<ApiKeyRow>(`select ${COLUMNS} from ${FROM} order by k.revoked_at is not null, k.created_at desc`);
    res.json({ data: rows.map(toApiKey) });
  });

  router.post('/api-keys', authorize('apikeys:manage'), async (req, res) => {
    const body = parseOr422(apiKeyCreateSchema, req.body);
    const { key, hash, prefix } = newApiKey();
    const actor = actorFrom(req);
    const created = await withTransaction(ctx.pool, async (tx) => {
      const id = newId('key');
      await tx.query(
        `insert into api_keys (id, name, scope, key_hash, prefix, created_by, owner_user_id)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [id, body.name, body.scope, hash, prefix, actor.label, await ownerOf(tx, req.principal)],
      );
      const { rows } = await tx.query<ApiKeyRow>(`select ${COLUMNS} from ${FROM} where k.id = $1`, [id]);
      const apiKey = toApiKey(rows[0]!);
      await recordAudit(tx, actor, { action: 'apikey.created', targetType: 'api_key', targetId: apiKey.id, after: { name: apiKey.name, scope: apiKey.scope, prefix } });
      return apiKey;
    });
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ ...created, key });
  });

  router.delete('/api-keys/:id', authorize('apikeys:manage'), async (req, res) => {
    const id = String(req.params.id);
    await withTransaction(ctx.pool, async (tx) => {
      const { rows } = await tx.query<ApiKeyRow>(`select ${COLUMNS} from ${FROM} where k.id = $1 for update of k`, [id]);
      const row = rows[0];
      if (!row) throw notFound('API key', id);
      if (row.revoked_at) return;
      await tx.query(`update api_keys set revoked_at = now() where id = $1`, [id]);
      await recordAudit(tx, actorFrom(req), {
        action: 'apikey.revoked',
        targetType: 'api_key',
        targetId: id,
        before: { name: row.name, scope: row.scope, revoked: false },
        after: { name: row.name, scope: row.scope, revoked: true },
      });
    });
    res.status(204).end();
  });

  return router;
}

/**
 * Who a new key acts for: the signed-in person, or the owner of the API key that made it
 * (so a key cannot outlive its maker by making another one); none for TRIPLINE_API_KEY.
 */
async function ownerOf(tx: { query: PoolClient['query'] }, principal: Principal): Promise<string | null> {
  if (principal.kind === 'user') return principal.id;
  if (principal.kind !== 'apiKey' || principal.id === 'env') return null;
  const { rows } = await tx.query<{ owner_user_id: string | null }>(`select owner_user_id from api_keys where id = $1`, [principal.id]);
  return rows[0]?.owner_user_id ?? null;
}
