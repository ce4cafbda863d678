import { credentialInputSchema, credentialSchema, identifier } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { deleteCredential, listCredentials } from '../db/credentials.ts';
import { withTransaction } from '../db/pool.ts';
import { notFound, parseOr422 } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';
import { HIDDEN_HINT, saveCredential } from './store.ts';
import { allowed } from '../auth/principal.ts';

const tag = 'Credentials';

export function credentialsRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route(
    {
      method: 'get',
      path: '/credentials',
      access: 'credentials:read',
      tag,
      summary: 'List credentials for HTTP request steps (names and hints, never values)',
      response: z.object({ data: z.array(credentialSchema) }),
    },
    async ({ req }) => {
      const data = await listCredentials(ctx.pool);
      // The last characters help the people who manage a value recognise it; everyone else
      // (viewers, marketers, read keys) sees that a value is set, and nothing of it.
      return { data: allowed(req.principal, 'credentials:write') ? data : data.map((c) => ({ ...c, hint: HIDDEN_HINT })) };
    },
  );

  route(
    {
      method: 'post',
      path: '/credentials',
      access: 'credentials:write',
      tag,
      summary: 'Store a credential with the origins it may be sent to, or replace one with the same name (value and origins together); the value is encrypted and never shown again',
      body: credentialInputSchema,
      response: credentialSchema,
      status: 201,
    },
    async ({ req, res, body }) => {
      const actor = actorFrom(req);
      const { credential, replaced } = await withTransaction(ctx.pool, async (tx) => {
        const saved = await saveCredential(tx, ctx.secrets, { ...body, createdBy: actor.label });
        // The audit entry says what changed (where the value may go, too), never the value (nor its hint).
        await recordAudit(tx, actor, {
          action: saved.replaced ? 'credential.replaced' : 'credential.created',
          targetType: 'credential',
          targetId: body.name,
          ...(saved.before ? { before: { name: body.name, description: saved.before.description, allowedOrigins: saved.before.allowedOrigins } } : {}),
          after: { name: body.name, description: body.description ?? null, allowedOrigins: body.allowedOrigins },
        });
        return saved;
      });
      res.setHeader('Cache-Control', 'no-store');
      // Replacing answers 200: nothing new was created.
      if (replaced) return void res.status(200).json(credential);
      return credential;
    },
  );

  route(
    { method: 'delete', path: '/credentials/:name', access: 'credentials:write', tag, summary: 'Delete a credential; steps that use it then fail with a clear error', status: 204 },
    async ({ req, params }) => {
      const name = parseOr422(identifier, params.name, 'credential name');
      await withTransaction(ctx.pool, async (tx) => {
        const deleted = await deleteCredential(tx, name);
        if (!deleted) throw notFound('credential', name);
        await recordAudit(tx, actorFrom(req), { action: 'credential.deleted', targetType: 'credential', targetId: name, before: { name, description: deleted.description } });
      });
    },
  );

  return router;
}
