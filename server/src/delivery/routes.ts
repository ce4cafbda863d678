import crypto from 'node:crypto';
import tls from 'node:tls';
import {
  deliveryDetailSchema,
  deliveryQuerySchema,
  deliverySummarySchema,
  endpointCreatedSchema,
  endpointInputSchema,
  endpointSchema,
  eventCatalog,
  eventTypes,
  isEventType,
  pageSchema,
  recoverInputSchema,
  recoverResultSchema,
  rotateSecretInputSchema,
  rotateSecretResultSchema,
  testEndpointInputSchema,
  type ApiErrorDetail,
  type EventEnvelope,
} from '@tripline/shared';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { authorize } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { withTransaction, type PoolClient } from '../db/pool.ts';
import { conflict, invalid, notFound, parseOr422 } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import {
  DELIVERY_COLUMNS,
  toAttempt,
  toDeliverySummary,
  toEndpoint,
  type AttemptRow,
  type DeliveryRow,
  type EndpointRow,
} from './endpoints-store.ts';
import { attemptsOf, insertDeliveries, notifyDue, requeueDelivery, requeueFailedSince, requeuePaused } from './deliveries-data.ts';
import { filterPasses, newDeliveryId, testEnvelope, webhookPayload } from './fan-out.ts';
import { settleBeforeDelete } from './settle.ts';
import { generateSigningSecret } from './signing.ts';
import { checkTargetUrlResolved } from './ssrf.ts';
import type { StoredAuth } from './worker.ts';

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

type EndpointInput = z.infer<typeof endpointInputSchema>;

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
    const existing = await loadEndpoint(ctx.pool, id);
    const columns = await prepareEndpoint(ctx, input, existing);
    const row = await withTransaction(ctx.pool, async (tx) => {
      const before = await loadEndpoint(tx, id, true);
      const disabling = before.enabled && !columns.enabled;
      const enabling = !before.enabled && columns.enabled;
      const { rows } = await tx.query<EndpointRow>(
        `update endpoints set url = $2, description = $3, event_types = $4, filter = $5, enabled = $6,
            disabled_reason = case when $6 then null when $7 then $8 else disabled_reason end,
            disabled_at = case when $6 then null when $7 then now() else disabled_at end,
            failing_since = case when $9 then null else failing_since end,
            rate_limit_per_second = $10, max_concurrency = $11, headers = $12, auth = $13, auth_secret_enc = $14, updated_at = now()
          where id = $1 returning *`,
        [
          id,
          columns.url,
          columns.description,
          columns.eventTypes,
          columns.filter,
          columns.enabled,
          disabling,
          `disabled by ${actorFrom(req).label}`,
          enabling,
          columns.rateLimitPerSecond,
          columns.maxConcurrency,
          JSON.stringify(columns.headers),
          JSON.stringify(columns.auth),
          columns.authSecretEnc,
        ],
      );
      if (enabling) await resumePaused(tx, ctx, id);
      const after = rows[0]!;
      await recordAudit(tx, actorFrom(req), { action: 'endpoint.update', targetType: 'endpoint', targetId: id, before: toEndpoint(before), after: toEndpoint(after) });
      return after;
    });
    res.json(toEndpoint(row));
  });

  router.delete('/endpoints/:id', authorize('endpoints:write'), async (req, res) => {
    const id = param(req);
    await withTransaction(ctx.pool, async (tx) => {
      const before = await loadEndpoint(tx, id, true);
      await settleBeforeDelete(tx, ctx, id);
      await tx.query('delete from endpoints where id = $1', [id]);
      await recordAudit(tx, actorFrom(req), { action: 'endpoint.delete', targetType: 'endpoint', targetId: id, before: toEndpoint(before) });
    });
    res.status(204).end();
  });

  router.post('/endpoints/:id/test', authorize('endpoints:write'), async (req, res) => {
    const { eventType } = parseOr422(testEndpointInputSchema, req.body ?? {});
    if (!isEventType(eventType)) {
      throw invalid(`"${eventType}" is not in the event catalog; GET /api/v1/event-types lists the types`, [{ path: 'eventType', message: 'unknown event type' }]);
    }
    const id = param(req);
    const delivery = await withTransaction(ctx.pool, async (tx) => {
      const endpoint = await loadEndpoint(tx, id);
      if (!endpoint.enabled) throw conflict('the endpoint is disabled; enable it before sending a test event');
      // A test is not an event of the store: it is not stored, triggers no workflow and
      // reaches only this endpoint, whatever its subscriptions and filter.
      const envelope = testEnvelope(eventType, eventCatalog[eventType].example as Record<string, unknown>);
      const rows = await insertDeliveries(tx, [
        { id: newDeliveryId(), endpointId: id, eventId: envelope.id, eventType: envelope.type, runId: null, nodeId: null, payload: JSON.stringify(webhookPayload(envelope)), acceptedAt: envelope.receivedAt },
      ]);
      await notifyDue(tx);
      await recordAudit(tx, actorFrom(req), { action: 'endpoint.test', targetType: 'endpoint', targetId: id, after: { eventType, deliveryId: rows[0]!.id } });
      return rows[0]!;
    });
    res.status(202).json(toDeliverySummary(delivery));
  });

  router.post('/endpoints/:id/rotate-secret', authorize('endpoints:write'), async (req, res) => {
    const { graceSeconds } = parseOr422(rotateSecretInputSchema, req.body ?? {});
    const id = param(req);
    const secret = generateSigningSecret();
    const row = await withTransaction(ctx.pool, async (tx) => {
      await loadEndpoint(tx, id, true);
      const { rows } = await tx.query<EndpointRow>(
        `update endpoints set previous_secret_enc = case when $3::float8 > 0 then secret_enc end,
            previous_secret_expires_at = case when $3::float8 > 0 then now() + make_interval(secs => $3::float8) end,
            secret_enc = $2, updated_at = now()
          where id = $1 returning *`,
        [id, ctx.secrets.encrypt(secret), graceSeconds],
      );
      const after = rows[0]!;
      await recordAudit(tx, actorFrom(req), {
        action: 'endpoint.rotate_secret',
        targetType: 'endpoint',
        targetId: id,
        after: { previousSecretExpiresAt: after.previous_secret_expires_at?.toISOString() ?? null },
      });
      return after;
    });
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
    const requeued = await withTransaction(ctx.pool, async (tx) => {
      const endpoint = await loadEndpoint(tx, id, true);
      if (!endpoint.enabled) throw conflict('the endpoint is disabled; enable it first (POST /api/v1/endpoints/:id/enable), then recover');
      const requeued = await requeueFailedSince(tx, id, since);
      const missed = await sendMissed(tx, ctx, endpoint, since);
      await recordAudit(tx, actorFrom(req), { action: 'endpoint.recover', targetType: 'endpoint', targetId: id, after: { since, requeued, missed } });
      return { requeued, missed };
    });
    res.status(202).json(requeued);
  });

  router.get('/endpoints/:id/deliveries', authorize('endpoints:read'), async (req, res) => {
    const id = param(req);
    const q = parseOr422(deliveryQuerySchema, req.query, 'query');
    await loadEndpoint(ctx.pool, id);
    const { rows } = await ctx.pool.query<DeliveryRow>(
      `select ${DELIVERY_COLUMNS} from deliveries
        where endpoint_id = $1 and ($2::bigint is null or seq < $2) and ($3::text is null or status = $3) and ($4::text is null or event_type = $4)
        order by seq desc limit $5`,
      [id, q.cursor ?? null, q.status ?? null, q.eventType ?? null, q.limit + 1],
    );
    const page = rows.slice(0, q.limit);
    res.json({ data: page.map(toDeliverySummary), nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.seq) : null });
  });

  router.get('/deliveries/:id', authorize('endpoints:read'), async (req, res) => {
    const id = param(req);
    const { rows } = await ctx.pool.query<DeliveryRow>(`select ${DELIVERY_COLUMNS}, payload from deliveries where id = $1`, [id]);
    const row = rows[0];
    if (!row) throw notFound('delivery', id);
    const attempts = await attemptsOf<AttemptRow>(ctx.pool, id);
    res.json({ ...toDeliverySummary(row), payload: row.payload, attempts: attempts.map((a) => toAttempt(a, row.payload)) });
  });

  router.post('/deliveries/:id/replay', authorize('deliveries:replay'), async (req, res) => {
    const id = param(req);
    const row = await withTransaction(ctx.pool, async (tx) => {
      const { rows } = await tx.query<DeliveryRow & { enabled: boolean }>(
        `select d.status, d.endpoint_id, e.enabled from deliveries d join endpoints e on e.id = d.endpoint_id where d.id = $1 for update of d`,
        [id],
      );
      const current = rows[0];
      if (!current) throw notFound('delivery', id);
      if (!current.enabled) throw conflict('the endpoint is disabled; enable it first (POST /api/v1/endpoints/:id/enable)');
      if (current.status === 'sending') throw conflict('the delivery is being sent right now; replay it once this attempt ends');
      const updated = await requeueDelivery(tx, id);
      await recordAudit(tx, actorFrom(req), {
        action: 'delivery.replay',
        targetType: 'delivery',
        targetId: id,
        before: { status: current.status },
        after: { status: 'pending', endpointId: current.endpoint_id },
      });
      return updated!;
    });
    res.status(202).json(toDeliverySummary(row));
  });

  return router;
}

function param(req: Request): string {
  return String(req.params.id);
}

async function loadEndpoint(db: { query: PoolClient['query'] }, id: string, lock = false): Promise<EndpointRow> {
  const { rows } = await db.query<EndpointRow>(`select * from endpoints where id = $1${lock ? ' for update' : ''}`, [id]);
  if (!rows[0]) throw notFound('endpoint', id);
  return rows[0];
}

/** Deliveries paused while the endpoint was disabled go out again, each with its full retry schedule. */
async function resumePaused(tx: PoolClient, _ctx: AppContext, endpointId: string): Promise<number> {
  return requeuePaused(tx, endpointId);
}

const MISSED_LIMIT = 10_000;

/**
 * Events the endpoint subscribes to, received since `since` (and since the endpoint
 * exists), that never became a delivery to it, because it was disabled when they came:
 * they are fanned out to it now, so recovering after an outage leaves no gap.
 */
async function sendMissed(tx: PoolClient, _ctx: AppContext, endpoint: EndpointRow, since: string): Promise<number> {
  if (endpoint.event_types.length === 0) return 0;
  const exact = endpoint.event_types.filter((p) => !p.endsWith('*'));
  const prefixes = endpoint.event_types.filter((p) => p.endsWith('.*')).map((p) => p.slice(0, -1));
  const all = endpoint.event_types.includes('*');
  const { rows } = await tx.query<{ id: string } & Record<string, unknown>>(
    `select ${EVENT_ENVELOPE_COLUMNS} from events ev
      where ev.received_at >= greatest($2::timestamptz, $3::timestamptz)
        and ($4 or ev.type = any($5::text[]) or split_part(ev.type, '.', 1) || '.' = any($6::text[]))
        and not exists (select 1 from deliveries d where d.endpoint_id = $1 and d.event_id = ev.id and d.run_id is null)
      order by ev.seq limit ${MISSED_LIMIT}`,
    [endpoint.id, since, endpoint.created_at, all, exact, prefixes],
  );
  const envelopes = rows.map(rowToEnvelope).filter((e) => filterPasses(endpoint.filter, e));
  if (envelopes.length === 0) return 0;
  const inserted = await insertDeliveries(
    tx,
    envelopes.map((e) => ({ id: newDeliveryId(), endpointId: endpoint.id, eventId: e.id, eventType: e.type, runId: null, nodeId: null, payload: JSON.stringify(webhookPayload(e)), acceptedAt: e.receivedAt })),
  );
  if (inserted.length) await notifyDue(tx);
  return inserted.length;
}

const EVENT_ENVELOPE_COLUMNS = 'ev.id, ev.type, ev.occurred_at, ev.received_at, ev.source, ev.caused_by, ev.chain, ev.subject, ev.data';

function rowToEnvelope(row: Record<string, unknown>): EventEnvelope {
  const date = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));
  return {
    id: String(row.id),
    type: row.type as EventEnvelope['type'],
    occurredAt: date(row.occurred_at),
    receivedAt: date(row.received_at),
    source: String(row.source),
    causedBy: (row.caused_by as string | null) ?? null,
    chain: (row.chain as string[]) ?? [],
    subject: (row.subject as string | null) ?? null,
    data: row.data as Record<string, unknown>,
  };
}

interface EndpointColumns {
  url: string;
  description: string | null;
  eventTypes: string[];
  filter: string | null;
  enabled: boolean;
  rateLimitPerSecond: number | null;
  maxConcurrency: number | null;
  headers: Record<string, string>;
  auth: StoredAuth;
  authSecretEnc: string | null;
}

const families = new Set(eventTypes.map((t) => t.split('.')[0]!));

/** Checks what a schema cannot (the target address, catalog types, key material) and prepares the columns. */
async function prepareEndpoint(ctx: AppContext, input: EndpointInput, existing: EndpointRow | undefined): Promise<EndpointColumns> {
  const problems: ApiErrorDetail[] = [];
  const target = await checkTargetUrlResolved(input.url, ctx.config.allowPrivateTargets);
  if (!target.ok) problems.push({ path: 'url', message: `the URL ${target.reason}` });
  input.eventTypes.forEach((pattern, i) => {
    if (pattern === '*') return;
    const [family, name] = pattern.split('.') as [string, string];
    if (name === '*' ? !families.has(family) : !isEventType(pattern)) {
      problems.push({ path: `eventTypes.${i}`, message: `"${pattern}" matches no event type in the catalog (GET /api/v1/event-types)` });
    }
  });

  let auth: StoredAuth = { kind: 'none' };
  let authSecretEnc: string | null = null;
  const a = input.auth;
  if (a.kind === 'oauth2') {
    auth = { kind: 'oauth2', tokenUrl: a.tokenUrl, clientId: a.clientId, ...(a.scope ? { scope: a.scope } : {}) };
    const tokenTarget = await checkTargetUrlResolved(a.tokenUrl, ctx.config.allowPrivateTargets);
    if (!tokenTarget.ok) problems.push({ path: 'auth.tokenUrl', message: `the token URL ${tokenTarget.reason}` });
    if (a.clientSecret) authSecretEnc = ctx.secrets.encrypt(a.clientSecret);
    else if (existing?.auth.kind === 'oauth2' && existing.auth_secret_enc) authSecretEnc = existing.auth_secret_enc;
    else problems.push({ path: 'auth.clientSecret', message: 'required when choosing OAuth 2.0 client credentials' });
  } else if (a.kind === 'mtls') {
    auth = { kind: 'mtls', cert: a.cert, ...(a.ca ? { ca: a.ca } : {}) };
    let key = a.key;
    if (!key && existing?.auth.kind === 'mtls' && existing.auth_secret_enc) key = ctx.secrets.decrypt(existing.auth_secret_enc);
    if (!key) problems.push({ path: 'auth.key', message: 'required when choosing mutual TLS' });
    else {
      try {
        tls.createSecureContext({ cert: a.cert, key, ca: a.ca });
        authSecretEnc = a.key ? ctx.secrets.encrypt(a.key) : existing!.auth_secret_enc;
      } catch (error) {
        problems.push({ path: 'auth', message: `the certificate and key do not load together: ${(error as Error).message}` });
      }
    }
  }
  if (problems.length) throw invalid(`endpoint is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).slice(0, 3).join('; ')}`, problems);
  return {
    url: input.url,
    description: input.description ?? null,
    eventTypes: [...new Set(input.eventTypes)],
    filter: input.filter === undefined || input.filter === null ? null : JSON.stringify(input.filter),
    enabled: input.enabled,
    rateLimitPerSecond: input.rateLimitPerSecond ?? null,
    maxConcurrency: input.maxConcurrency ?? null,
    headers: input.headers,
    auth,
    authSecretEnc,
  };
}
