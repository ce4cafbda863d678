import crypto from 'node:crypto';
import {
  deliveryDetailSchema,
  deliveryQuerySchema,
  deliverySummarySchema,
  endpointCreatedSchema,
  endpointInputSchema,
  endpointSchema,
  pageSchema,
  recoverInputSchema,
  recoverResultSchema,
  rotateSecretInputSchema,
  rotateSecretResultSchema,
  testEndpointInputSchema,
} from '@tripline/shared';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { authorize } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { parseOr422 } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import {
  deliveryDetail,
  failWaitingStepDeliveries,
  listDeliveries,
  loadEndpoint,
  prepareEndpoint,
  recoverEndpoint,
  replayDelivery,
  resumePaused,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
} from './endpoint-operations.ts';
import { toDeliverySummary, toEndpoint, type EndpointRow } from './endpoints-store.ts';
import { generateSigningSecret } from './signing.ts';

const TAG = 'Endpoints';
const idList = z.object({ data: z.array(endpointSchema) });
describeRoute({ method: 'get', path: '/api/v1/endpoints', tag: TAG, summary: 'Webhook endpoints (subscribers)', response: idList });
describeRoute({ method: 'post', path: '/api/v1/endpoints', tag: TAG, summary: 'Create an endpoint; answers its signing secret this once', body: endpointInputSchema, response: endpointCreatedSchema, status: 201 });
describeRoute({ method: 'get', path: '/api/v1/endpoints/:id', tag: TAG, summary: 'One endpoint', response: endpointSchema });
describeRoute({ method: 'put', path: '/api/v1/endpoints/:id', tag: TAG, summary: 'Replace an endpoint (omit auth secrets to keep them)', body: endpointInputSchema, response: endpointSchema });
describeRoute({ method: 'delete', path: '/api/v1/endpoints/:id', tag: TAG, summary: 'Delete an endpoint and its delivery log', status: 204 });
describeRoute({ method: 'post', path: '/api/v1/endpoints/:id/test', tag: TAG, summary: 'Send the catalog example of an event type to this endpoint', body: testEndpointInputSchema, response: deliverySummarySchema, status: 202 });
describeRoute({ method: 'post', path: '/api/v1/endpoints/:id/rotate-secret', tag: TAG, summary: 'New signing secret; the old one keeps signing for the grace period', body: rotateSecretInputSchema, response: rotateSecretResultSchema });
describeRoute({ method: 'post', path: '/api/v1/endpoints/:id/enable', tag: TAG, summary: 'Enable a disabled endpoint and resume its paused deliveries', response: endpointSchema });
describeRoute({ method: 'post', path: '/api/v1/endpoints/:id/recover', tag: TAG, summary: 'Send again every failed or paused delivery since a time', body: recoverInputSchema, response: recoverResultSchema, status: 202 });
describeRoute({ method: 'get', path: '/api/v1/endpoints/:id/deliveries', tag: TAG, summary: 'Deliveries to this endpoint, newest first (keyset cursor)', response: pageSchema(deliverySummarySchema) });
describeRoute({ method: 'get', path: '/api/v1/deliveries/:id', tag: TAG, summary: 'One delivery with its payload and every attempt', response: deliveryDetailSchema });
describeRoute({ method: 'post', path: '/api/v1/deliveries/:id/replay', tag: TAG, summary: 'Send a delivery again (same webhook-id)', response: deliverySummarySchema, status: 202 });

export function endpointsRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/endpoints', authorize('endpoints:read'), async (_req, res) => {
    const { rows } = await ctx.pool.query<EndpointRow>('select * from endpoints order by created_at desc, id');
    res.json({ data: rows.map(toEndpoint) });
  });

  router.post('/endpoints', authorize('endpoints:write'), async (req, res) => {
    const input = parseOr422(endpointInputSchema, req.body);
    const columns = await prepareEndpoint(ctx, input, undefined);
    const secret = generateSigningSecret();
    const id = `ep_${crypto.randomUUID().replaceAll('-', '')}`;
    const row = await withTransaction(ctx.pool, async (tx) => {
      const { rows } = await tx.query<EndpointRow>(
        `insert into endpoints (id, url, description, event_types, filter, enabled, disabled_reason, disabled_at,
            rate_limit_per_second, max_concurrency, headers, auth, auth_secret_enc, secret_enc)
         values ($1, $2, $3, $4, $5, $6, $7, case when $6 then null else now() end, $8, $9, $10, $11, $12, $13) returning *`,
        [
          id,
          columns.url,
          columns.description,
          columns.eventTypes,
          columns.filter,
          columns.enabled,
          columns.enabled ? null : `disabled by ${actorFrom(req).label}`,
          columns.rateLimitPerSecond,
          columns.maxConcurrency,
          JSON.stringify(columns.headers),
          JSON.stringify(columns.auth),
          columns.authSecretEnc,
          ctx.secrets.encrypt(secret),
        ],
      );
      const created = rows[0]!;
      await recordAudit(tx, actorFrom(req), { action: 'endpoint.create', targetType: 'endpoint', targetId: id, after: toEndpoint(created) });
      return created;
    });
    res.status(201).json({ ...toEndpoint(row), secret });
  });

  router.get('/endpoints/:id', authorize('endpoints:read'), async (req, res) => {
    res.json(toEndpoint(await loadEndpoint(ctx.pool, param(req))));
  });

  router.put('/endpoints/:id', authorize('endpoints:write'), async (req, res) => {
    const input = parseOr422(endpointInputSchema, req.body);
    const id = param(req);
    const row = await updateEndpoint(ctx, actorFrom(req), id, input);
    res.json(toEndpoint(row));
  });

  router.delete('/endpoints/:id', authorize('endpoints:write'), async (req, res) => {
    const id = param(req);
    await withTransaction(ctx.pool, async (tx) => {
      const before = await loadEndpoint(tx, id, true);
      await failWaitingStepDeliveries(tx, ctx, before);
      await tx.query('delete from endpoints where id = $1', [id]);
      await recordAudit(tx, actorFrom(req), { action: 'endpoint.delete', targetType: 'endpoint', targetId: id, before: toEndpoint(before) });
    });
    res.status(204).end();
  });

  router.post('/endpoints/:id/test', authorize('endpoints:write'), async (req, res) => {
    const { eventType } = parseOr422(testEndpointInputSchema, req.body ?? {});
    const id = param(req);
    const delivery = await sendTestEvent(ctx, actorFrom(req), id, eventType);
    res.status(202).json(toDeliverySummary(delivery));
  });

  router.post('/endpoints/:id/rotate-secret', authorize('endpoints:write'), async (req, res) => {
    const { graceSeconds } = parseOr422(rotateSecretInputSchema, req.body ?? {});
    const id = param(req);
    const { secret, row } = await rotateSecret(ctx, actorFrom(req), id, graceSeconds);
    res.json({ secret, previousSecretExpiresAt: row.previous_secret_expires_at?.toISOString() ?? null });
  });

  router.post('/endpoints/:id/enable', authorize('endpoints:write'), async (req, res) => {
    const id = param(req);
    const row = await withTransaction(ctx.pool, async (tx) => {
      const before = await loadEndpoint(tx, id, true);
      const { rows } = await tx.query<EndpointRow>(
        `update endpoints set enabled = true, disabled_reason = null, disabled_at = null, failing_since = null, updated_at = now()
          where id = $1 returning *`,
        [id],
      );
      const resumed = before.enabled ? 0 : await resumePaused(tx, ctx, id);
      const after = rows[0]!;
      await recordAudit(tx, actorFrom(req), {
        action: 'endpoint.enable',
        targetType: 'endpoint',
        targetId: id,
        before: { enabled: before.enabled, disabledReason: before.disabled_reason },
        after: { enabled: true, resumedDeliveries: resumed },
      });
      return after;
    });
    res.json(toEndpoint(row));
  });

  router.post('/endpoints/:id/recover', authorize('deliveries:replay'), async (req, res) => {
    const { since } = parseOr422(recoverInputSchema, req.body ?? {});
    const id = param(req);
    const requeued = await recoverEndpoint(ctx, actorFrom(req), id, since);
    res.status(202).json(requeued);
  });

  router.get('/endpoints/:id/deliveries', authorize('endpoints:read'), async (req, res) => {
    const id = param(req);
    const q = parseOr422(deliveryQuerySchema, req.query, 'query');
    res.json(await listDeliveries(ctx.pool, id, q));
  });

  router.get('/deliveries/:id', authorize('endpoints:read'), async (req, res) => {
    const id = param(req);
    res.json(await deliveryDetail(ctx.pool, id));
  });

  router.post('/deliveries/:id/replay', authorize('deliveries:replay'), async (req, res) => {
    const id = param(req);
    const row = await replayDelivery(ctx, actorFrom(req), id);
    res.status(202).json(toDeliverySummary(row));
  });

  return router;
}

function param(req: Request): string {
  return String(req.params.id);
}

