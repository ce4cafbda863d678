import {
  deliveryDetailSchema,
  deliverySummarySchema,
  describeCatalog,
  pageSchema,
  portalDeliveryQuerySchema,
  portalEndpointInputSchema,
  portalEndpointSchema,
  portalEventTypeSchema,
  portalSessionSchema,
  recoverInputSchema,
  recoverResultSchema,
  rotateSecretInputSchema,
  rotateSecretResultSchema,
  testEndpointInputSchema,
  type DeliveryDetail,
  type PortalEndpoint,
} from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom } from '../audit/record.ts';
import { endpointHealth } from '../console/endpoint-health.ts';
import type { AppContext } from '../context.ts';
import {
  deliveryDetail,
  listDeliveries,
  loadEndpoint,
  recoverEndpoint,
  replayDelivery,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
  type EndpointInput,
} from '../delivery/endpoint-operations.ts';
import { toDeliverySummary, type EndpointRow } from '../delivery/endpoints-store.ts';
import { subscriptionPatterns } from '../delivery/fan-out.ts';
import type { StoredAuth } from '../delivery/worker.ts';
import { parseOr422 } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import { portalPrincipal, requirePortal, scopedDeliveryId, scopedEndpointId } from './portal-auth.ts';

const TAG = 'Partner portal';
const doc = (method: 'get' | 'put' | 'post', path: string, summary: string, extra: { body?: z.ZodType; response?: z.ZodType; status?: number } = {}) =>
  describeRoute({ method, path: `/api/v1/portal${path}`, tag: TAG, summary: `${summary} (Authorization: Bearer <portal token>)`, ...extra });
doc('get', '/session', 'The link the token belongs to', { response: portalSessionSchema });
doc('get', '/endpoints', "The link's endpoints with their health", { response: z.object({ data: z.array(portalEndpointSchema) }) });
doc('get', '/endpoints/:id', 'One of the link\'s endpoints', { response: portalEndpointSchema });
doc('put', '/endpoints/:id', 'Change url, description, event types, filter, enabled', { body: portalEndpointInputSchema, response: portalEndpointSchema });
doc('get', '/endpoints/:id/deliveries', 'Deliveries, newest first; filters status, eventType, since, until', { response: pageSchema(deliverySummarySchema) });
doc('get', '/deliveries/:id', 'One delivery with every attempt (secrets masked)', { response: deliveryDetailSchema });
doc('post', '/deliveries/:id/replay', 'Send a delivery again (same webhook-id)', { response: deliverySummarySchema, status: 202 });
doc('post', '/endpoints/:id/recover', 'Send again everything failed since a time', { body: recoverInputSchema, response: recoverResultSchema, status: 202 });
doc('post', '/endpoints/:id/test', 'Send the catalog example of an event type, signed', { body: testEndpointInputSchema, response: deliverySummarySchema, status: 202 });
doc('post', '/endpoints/:id/rotate-secret', 'New whsec_ secret, shown once; the old one keeps verifying for the grace period', { body: rotateSecretInputSchema, response: rotateSecretResultSchema });
doc('get', '/event-types', 'The event catalog with schemas and examples, marked where the link subscribes', { response: z.object({ data: z.array(portalEventTypeSchema) }) });

/** Request headers a partner may see as sent; every other value (custom headers, credentials) is masked. */
const VISIBLE_REQUEST_HEADERS = new Set(['content-type', 'content-length', 'user-agent', 'accept', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);
const MASK = '[masked]';

function maskAttempts(detail: DeliveryDetail): DeliveryDetail {
  return {
    ...detail,
    attempts: detail.attempts.map((a) => ({
      ...a,
      requestHeaders: Object.fromEntries(Object.entries(a.requestHeaders).map(([k, v]) => [k, VISIBLE_REQUEST_HEADERS.has(k.toLowerCase()) ? v : MASK])),
    })),
  };
}

/** A partner's PUT keeps what they may not see or change: headers, credentials and rate limits. */
function withAdminSettings(input: z.infer<typeof portalEndpointInputSchema>, existing: EndpointRow): EndpointInput {
  const a: StoredAuth = existing.auth ?? { kind: 'none' };
  const auth: EndpointInput['auth'] =
    a.kind === 'oauth2' ? { kind: 'oauth2', tokenUrl: a.tokenUrl, clientId: a.clientId, ...(a.scope ? { scope: a.scope } : {}) }
    : a.kind === 'mtls' ? { kind: 'mtls', cert: a.cert, ...(a.ca ? { ca: a.ca } : {}) }
    : { kind: 'none' };
  return { ...input, rateLimitPerSecond: existing.rate_limit_per_second, maxConcurrency: existing.max_concurrency, headers: existing.headers ?? {}, auth };
}

/** The partner's view of their endpoints, scoped to the link on every route. */
export function portalApiRouter(ctx: AppContext): Router {
  const router = Router();
  const catalog = describeCatalog();

  const view = async (row: EndpointRow): Promise<PortalEndpoint> => {
    const [h] = await endpointHealth(ctx.pool, row.id);
    return {
      id: row.id,
      url: row.url,
      description: row.description,
      eventTypes: row.event_types,
      filter: row.filter ?? null,
      enabled: row.enabled,
      disabledReason: row.disabled_reason,
      failingSince: row.failing_since?.toISOString() ?? null,
      previousSecretExpiresAt: row.previous_secret_expires_at && row.previous_secret_expires_at.getTime() > Date.now() ? row.previous_secret_expires_at.toISOString() : null,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      health: {
        attempts: h?.attempts ?? 0,
        successRate: h?.successRate ?? null,
        p50LatencyMs: h?.p50LatencyMs ?? null,
        lastFailureAt: h?.lastFailureAt ?? null,
        lastFailureError: h?.lastFailureError ?? null,
        lastAttemptAt: h?.lastAttemptAt ?? null,
      },
    };
  };

  router.get('/portal/session', requirePortal(), (req, res) => {
    const p = portalPrincipal(req);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ linkId: p.id, name: p.name, expiresAt: p.expiresAt.toISOString(), endpointIds: p.endpointIds });
  });

  router.get('/portal/endpoints', requirePortal(), async (req, res) => {
    const { rows } = await ctx.pool.query<EndpointRow>('select * from endpoints where id = any($1::text[]) order by created_at desc, id', [portalPrincipal(req).endpointIds]);
    res.json({ data: await Promise.all(rows.map(view)) });
  });

  router.get('/portal/endpoints/:id', requirePortal(), async (req, res) => {
    res.json(await view(await loadEndpoint(ctx.pool, scopedEndpointId(req))));
  });

  router.put('/portal/endpoints/:id', requirePortal(), async (req, res) => {
    const id = scopedEndpointId(req);
    const input = parseOr422(portalEndpointInputSchema, req.body);
    const existing = await loadEndpoint(ctx.pool, id);
    res.json(await view(await updateEndpoint(ctx, actorFrom(req), id, withAdminSettings(input, existing))));
  });

  router.get('/portal/endpoints/:id/deliveries', requirePortal(), async (req, res) => {
    const id = scopedEndpointId(req);
    const q = parseOr422(portalDeliveryQuerySchema, req.query, 'query');
    res.json(await listDeliveries(ctx.pool, id, q));
  });

  router.get('/portal/deliveries/:id', requirePortal(), async (req, res) => {
    const id = await scopedDeliveryId(req, ctx.pool);
    res.json(maskAttempts(await deliveryDetail(ctx.pool, id)));
  });

  router.post('/portal/deliveries/:id/replay', requirePortal(), async (req, res) => {
    const id = await scopedDeliveryId(req, ctx.pool);
    res.status(202).json(toDeliverySummary(await replayDelivery(ctx, actorFrom(req), id)));
  });

  router.post('/portal/endpoints/:id/recover', requirePortal(), async (req, res) => {
    const id = scopedEndpointId(req);
    const { since } = parseOr422(recoverInputSchema, req.body ?? {});
    res.status(202).json(await recoverEndpoint(ctx, actorFrom(req), id, since));
  });

  router.post('/portal/endpoints/:id/test', requirePortal(), async (req, res) => {
    const id = scopedEndpointId(req);
    const { eventType } = parseOr422(testEndpointInputSchema, req.body ?? {});
    res.status(202).json(toDeliverySummary(await sendTestEvent(ctx, actorFrom(req), id, eventType)));
  });

  router.post('/portal/endpoints/:id/rotate-secret', requirePortal(), async (req, res) => {
    const id = scopedEndpointId(req);
    const { graceSeconds } = parseOr422(rotateSecretInputSchema, req.body ?? {});
    const { secret, row } = await rotateSecret(ctx, actorFrom(req), id, graceSeconds);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ secret, previousSecretExpiresAt: row.previous_secret_expires_at?.toISOString() ?? null });
  });

  router.get('/portal/event-types', requirePortal(), async (req, res) => {
    const { rows } = await ctx.pool.query<{ event_types: string[] }>('select event_types from endpoints where id = any($1::text[])', [portalPrincipal(req).endpointIds]);
    const subscribed = new Set(rows.flatMap((r) => r.event_types));
    res.json({ data: catalog.map((c) => ({ ...c, subscribed: subscriptionPatterns(c.type).some((p) => subscribed.has(p)) })) });
  });

  return router;
}
