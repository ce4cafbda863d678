import { credentialInputSchema, credentialSchema, identifier } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { authorize } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { notFound, parseOr422 } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import { deleteCredential, listCredentials, saveCredential } from './store.ts';

describeRoute({ method: 'get', path: '/api/v1/credentials', tag: 'Credentials', summary: 'List credentials for HTTP request steps (names and hints, never values)', response: z.object({ data: z.array(credentialSchema) }) });
describeRoute({ method: 'post', path: '/api/v1/credentials', tag: 'Credentials', summary: 'Store a credential, or replace the value of one with the same name; the value is encrypted and never shown again', body: credentialInputSchema, response: credentialSchema, status: 201 });
describeRoute({ method: 'delete', path: '/api/v1/credentials/:name', tag: 'Credentials', summary: 'Delete a credential; steps that use it then fail with a clear error', status: 204 });

export function credentialsRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/credentials', authorize('credentials:read'), async (_req, res) => {
    res.json({ data: await listCredentials(ctx.pool) });
  });

  router.post('/credentials', authorize('credentials:write'), async (req, res) => {
    const body = parseOr422(credentialInputSchema, req.body);
    const actor = actorFrom(req);
    const { credential, replaced } = await withTransaction(ctx.pool, async (tx) => {
      const saved = await saveCredential(tx, ctx.secrets, { ...body, createdBy: actor.label });
      // The audit entry says what changed, never the value (nor its hint).
      await recordAudit(tx, actor, {
        action: saved.replaced ? 'credential.replaced' : 'credential.created',
        targetType: 'credential',
        targetId: body.name,
        after: { name: body.name, description: body.description ?? null },
      });
      return saved;
    });
    res.setHeader('Cache-Control', 'no-store');
    res.status(replaced ? 200 : 201).json(credential);
  });

  router.delete('/credentials/:name', authorize('credentials:write'), async (req, res) => {
    const name = parseOr422(identifier, String(req.params.name), 'credential name');
    await withTransaction(ctx.pool, async (tx) => {
      const deleted = await deleteCredential(tx, name);
      if (!deleted) throw notFound('credential', name);
      await recordAudit(tx, actorFrom(req), { action: 'credential.deleted', targetType: 'credential', targetId: name, before: { name, description: deleted.description } });
    });
    res.status(204).end();
  });

  return router;
}
