import { asPartner } from './partner-messages.ts';
import {
  deliveryDetailSchema,
  deliverySummarySchema,
  describeCatalog,
  pageSchema,
  portalDeliveryQuerySchema,
  portalEndpointFieldsSchema,
  portalEndpointInputSchema,
  portalEndpointSchema,
  portalEventTypeSchema,
  portalSessionSchema,
  recoverInputSchema,
  portalRecoverResultSchema,
  PORTAL_RECOVER_MAX,
  PORTAL_RECOVER_WINDOW_HOURS,
  PORTAL_RECOVERS_PER_HOUR,
  rotateSecretInputSchema,
  rotateSecretResultSchema,
  testEndpointInputSchema,
  HEADER_VALUE_MASK,
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
  replayDelivery,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
  type EndpointInput,
} from '../delivery/endpoint-operations.ts';
import type { EndpointRow } from '../db/endpoints.ts';
import { toDeliverySummary, toEndpoint } from '../delivery/endpoints-store.ts';
import { subscriptionPatterns } from '../delivery/fan-out.ts';
import type { StoredEndpointAuth as StoredAuth } from '@tripline/shared';
import { endpointsByIds, linkCeiling, subscribedPatterns, workflowEventTypesTo } from '../db/portal.ts';
import { invalid, notFound } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';
import { eventTypesBeyond, narrowedFilter } from './ceiling.ts';
import { portalPrincipal, scopedDeliveryId, scopedEndpointId } from './portal-auth.ts';
import { recoverForPartner, recoverRateLimited, recoverRefusal } from './recover.ts';
import { getSetting } from '../settings.ts';

const tag = 'Partner portal';
/** Every portal route takes the link's token, and nothing else. */
const portal = (summary: string) => ({ access: 'portal' as const, tag, summary: `${summary} (Authorization: Bearer <portal token>)` });

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

/**
 * A partner's PUT keeps what they may not see or change: headers, credentials and rate limits.
 * Header values go in as the mask, which keeps each stored (encrypted) value as it is; passing
 * the stored ciphertext itself would encrypt it a second time. The admin's header values and
 * credentials are sent only to the URL they were given for, and a partner cannot enter them
 * again, so a partner cannot move such an endpoint: an admin does.
 */
function withAdminSettings(input: z.infer<typeof portalEndpointInputSchema>, existing: EndpointRow): EndpointInput {
  const headerNames = Object.keys(existing.headers ?? {});
  const a: StoredAuth = existing.auth ?? { kind: 'none' };
  if (input.url !== existing.url && (headerNames.length > 0 || a.kind !== 'none')) {
    throw invalid('this endpoint sends custom headers or credentials its admin set, which go only to the URL they were set for: ask an admin to change its URL', [
      { path: 'url', message: 'only an admin can move an endpoint that sends custom headers or credentials' },
    ]);
  }
  const auth: EndpointInput['auth'] =
    a.kind === 'oauth2' ? { kind: 'oauth2', tokenUrl: a.tokenUrl, clientId: a.clientId, ...(a.scope ? { scope: a.scope } : {}) }
    : a.kind === 'mtls' ? { kind: 'mtls', cert: a.cert, ...(a.ca ? { ca: a.ca } : {}) }
    : { kind: 'none' };
  return { ...input, rateLimitPerSecond: existing.rate_limit_per_second, maxConcurrency: existing.max_concurrency, ordering: existing.ordering, headers: Object.fromEntries(headerNames.map((name) => [name, HEADER_VALUE_MASK])), auth };
}

/** The partner's view of their endpoints, scoped to the link on every route. */
export function portalApiRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);
  const catalog = describeCatalog();

  const view = async (row: EndpointRow): Promise<PortalEndpoint> => {
    const [h] = await endpointHealth(ctx.pool, row.id);
    return {
      // The admin view, cut down to what a partner may see (parse drops every other field).
      ...portalEndpointFieldsSchema.parse(toEndpoint(row)),
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

  route({ method: 'get', path: '/portal/session', ...portal('The link the token belongs to, and whose store it is'), response: portalSessionSchema }, async ({ req, res }) => {
    const p = portalPrincipal(req);
    const branding = await getSetting(ctx.pool, 'portalBranding');
    res.setHeader('Cache-Control', 'no-store');
    return { linkId: p.id, name: p.name, expiresAt: p.expiresAt.toISOString(), endpointIds: p.endpointIds, store: { name: branding.storeName, logo: branding.logo } };
  });

  route(
    { method: 'get', path: '/portal/endpoints', ...portal("The link's endpoints with their health"), response: z.object({ data: z.array(portalEndpointSchema) }) },
    async ({ req }) => ({ data: await Promise.all((await endpointsByIds(ctx.pool, portalPrincipal(req).endpointIds)).map(view)) }),
  );

  route({ method: 'get', path: '/portal/endpoints/:id', ...portal("One of the link's endpoints"), response: portalEndpointSchema }, async ({ req }) =>
    view(await loadEndpoint(ctx.pool, scopedEndpointId(req))),
  );

  route(
    { method: 'put', path: '/portal/endpoints/:id', ...portal('Change url, description, event types, filter, enabled'), body: portalEndpointInputSchema, response: portalEndpointSchema },
    async ({ req, body }) => {
      const id = scopedEndpointId(req);
      const existing = await loadEndpoint(ctx.pool, id);
      // The link's ceiling: the partner narrows what the admin allowed, never widens it.
      const ceiling = await linkCeiling(ctx.pool, portalPrincipal(req).id, id);
      if (!ceiling) throw notFound('endpoint', id);
      const beyond = eventTypesBeyond(ceiling, existing.event_types, body.eventTypes);
      if (beyond.length) throw invalid(`endpoint is invalid: ${beyond.map((d) => `${d.path}: ${d.message}`).slice(0, 3).join('; ')}`, beyond);
      const narrowed = { ...body, filter: narrowedFilter(ceiling, existing.filter, body.filter) as typeof body.filter };
      return view(await asPartner(() => updateEndpoint(ctx, actorFrom(req), id, withAdminSettings(narrowed, existing))));
    },
  );

  route(
    {
      method: 'get',
      path: '/portal/endpoints/:id/deliveries',
      ...portal('Deliveries, newest first; filters status, eventType, since, until'),
      query: portalDeliveryQuerySchema,
      response: pageSchema(deliverySummarySchema),
    },
    async ({ req, query }) => listDeliveries(ctx.pool, scopedEndpointId(req), query),
  );

  route({ method: 'get', path: '/portal/deliveries/:id', ...portal('One delivery with every attempt (secrets masked)'), response: deliveryDetailSchema }, async ({ req }) =>
    maskAttempts(await deliveryDetail(ctx.pool, await scopedDeliveryId(req, ctx.pool))),
  );

  route(
    { method: 'post', path: '/portal/deliveries/:id/replay', ...portal('Send a delivery again (same webhook-id)'), response: deliverySummarySchema, status: 202 },
    async ({ req }) => toDeliverySummary(await replayDelivery(ctx, actorFrom(req), await scopedDeliveryId(req, ctx.pool))),
  );

  route(
    {
      method: 'post',
      path: '/portal/endpoints/:id/recover',
      ...portal(`Send again what failed or was missed since a time (at most ${PORTAL_RECOVER_WINDOW_HOURS} h back, ${PORTAL_RECOVER_MAX} a call, ${PORTAL_RECOVERS_PER_HOUR} calls an hour; queued behind live traffic)`),
      body: recoverInputSchema,
      response: portalRecoverResultSchema,
      status: 202,
    },
    async ({ req, res, body: { since } }) => {
      const id = scopedEndpointId(req);
      const wait = await recoverRefusal(ctx, portalPrincipal(req).id, since);
      if (wait !== undefined) {
        res.setHeader('Retry-After', String(wait));
        throw recoverRateLimited(wait);
      }
      return recoverForPartner(ctx, actorFrom(req), id, since);
    },
  );

  route(
    {
      method: 'post',
      path: '/portal/endpoints/:id/test',
      ...portal('Send the catalog example of an event type, signed'),
      body: testEndpointInputSchema,
      response: deliverySummarySchema,
      status: 202,
    },
    async ({ req, body: { eventType } }) => toDeliverySummary(await sendTestEvent(ctx, actorFrom(req), scopedEndpointId(req), eventType)),
  );

  route(
    {
      method: 'post',
      path: '/portal/endpoints/:id/rotate-secret',
      ...portal('New whsec_ secret, shown once; the old one keeps verifying for the grace period'),
      body: rotateSecretInputSchema,
      response: rotateSecretResultSchema,
    },
    async ({ req, res, body: { graceSeconds } }) => {
      const { secret, row } = await rotateSecret(ctx, actorFrom(req), scopedEndpointId(req), graceSeconds);
      res.setHeader('Cache-Control', 'no-store');
      return { secret, previousSecretExpiresAt: row.previous_secret_expires_at?.toISOString() ?? null };
    },
  );

  route(
    {
      method: 'get',
      path: '/portal/event-types',
      ...portal('The event catalog with schemas and examples, marked where the link subscribes'),
      response: z.object({ data: z.array(portalEventTypeSchema) }),
    },
    async ({ req }) => {
      const ids = portalPrincipal(req).endpointIds;
      const [subscribed, viaWorkflow] = await Promise.all([subscribedPatterns(ctx.pool, ids), workflowEventTypesTo(ctx.pool, ids)]);
      return { data: catalog.map((c) => ({ ...c, subscribed: subscriptionPatterns(c.type).some((p) => subscribed.has(p)), viaWorkflow: viaWorkflow.has(c.type) })) };
    },
  );

  return router;
}
