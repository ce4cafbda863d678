import crypto from 'node:crypto';
import { endpointCreatedSchema, endpointInputSchema, endpointSchema } from '@tripline/shared';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../../audit/record.ts';
import type { AppContext } from '../../context.ts';
import { withRetriedTransaction, withTransaction } from '../../db/pool.ts';
import { loadEndpoint, prepareEndpoint, updateEndpoint } from '../endpoint-operations.ts';
import { insertEndpoint, listEndpoints } from '../../db/endpoints.ts';
import { toEndpoint } from '../endpoints-store.ts';
import { endpointDeleted } from '../state-machine.ts';
import { generateSigningSecret } from '../signing.ts';
import type { DeclareRoute } from './declare.ts';

const tag = 'Endpoints';

/** Endpoints as a resource: list, create (the signing secret answered once), read, replace, delete. */
export function declareEndpointRoutes(route: DeclareRoute, ctx: AppContext): void {
  route(
    { method: 'get', path: '/endpoints', access: 'endpoints:read', tag, summary: 'Webhook endpoints (subscribers)', response: z.object({ data: z.array(endpointSchema) }) },
    async () => ({ data: (await listEndpoints(ctx.pool)).map(toEndpoint) }),
  );

  route(
    {
      method: 'post',
      path: '/endpoints',
      access: 'endpoints:write',
      tag,
      summary: 'Create an endpoint; answers its signing secret this once',
      body: endpointInputSchema,
      response: endpointCreatedSchema,
      status: 201,
    },
    async ({ req, body: input }) => {
      const columns = await prepareEndpoint(ctx, input, undefined);
      const secret = generateSigningSecret();
      const id = `ep_${crypto.randomUUID().replaceAll('-', '')}`;
      const actor = actorFrom(req);
      const row = await withTransaction(ctx.pool, async (tx) => {
        const created = await insertEndpoint(tx, {
          id,
          ...columns,
          disabledReason: columns.enabled ? null : `disabled by ${actor.label}`,
          secretEnc: ctx.secrets.encrypt(secret),
        });
        await recordAudit(tx, actor, { action: 'endpoint.create', targetType: 'endpoint', targetId: id, after: toEndpoint(created) });
        return created;
      });
      return { ...toEndpoint(row), secret };
    },
  );

  route({ method: 'get', path: '/endpoints/:id', access: 'endpoints:read', tag, summary: 'One endpoint', response: endpointSchema }, async ({ params }) =>
    toEndpoint(await loadEndpoint(ctx.pool, params.id!)),
  );

  route(
    { method: 'put', path: '/endpoints/:id', access: 'endpoints:write', tag, summary: 'Replace an endpoint (omit auth secrets to keep them)', body: endpointInputSchema, response: endpointSchema },
    async ({ req, params, body: input }) => toEndpoint(await updateEndpoint(ctx, actorFrom(req), params.id!, input)),
  );

  route({ method: 'delete', path: '/endpoints/:id', access: 'endpoints:write', tag, summary: 'Delete an endpoint and its delivery log', status: 204 }, async ({ req, params }) => {
    const id = params.id!;
    // The workers lock a delivery, then its endpoint; this locks the endpoint first, so a
    // delete racing an attempt's outcome can be the deadlock victim: it is run again.
    await withRetriedTransaction(ctx.pool, async (tx) => {
      const before = await loadEndpoint(tx, id, true);
      await endpointDeleted(ctx, tx, before);
      await recordAudit(tx, actorFrom(req), { action: 'endpoint.delete', targetType: 'endpoint', targetId: id, before: toEndpoint(before) });
    });
  });
}
