import tls from 'node:tls';
import {
  deliveryQuerySchema,
  endpointInputSchema,
  eventCatalog,
  eventTypes,
  isEventType,
  type ApiErrorDetail,
  type DeliveryDetail,
  type DeliverySummary,
  type EventEnvelope,
} from '@tripline/shared';
import type { z } from 'zod';
import { recordAudit, type Actor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { withTransaction, type PoolClient } from '../db/pool.ts';
import { conflict, invalid, notFound } from '../http/errors.ts';
import { attemptsOf, deliveriesOfEndpoint, eventsMissedBy, findDeliveryWithPayload, lockDeliveryForReplay, type DeliveryRow } from '../db/delivery-reads.ts';
import { findEndpoint, replaceEndpoint, replaceSigningSecret, type EndpointColumns, type EndpointRow } from '../db/endpoints.ts';
import type { Queryable } from '../db/queryable.ts';
import { headersKeptByMask, headersMissingValue, sealHeaders, toAttempt, toDeliverySummary, toEndpoint } from './endpoints-store.ts';
import { filterPasses, newDeliveryId, testEnvelope, webhookPayload } from './fan-out.ts';
import * as deliveries from './state-machine.ts';
import { generateSigningSecret } from './signing.ts';
import { checkTargetUrlResolved } from './ssrf.ts';
import type { StoredEndpointAuth as StoredAuth } from '@tripline/shared';

/**
 * The operations on an endpoint and its deliveries that more than one caller performs: the
 * admin endpoints API (routes.ts) and the partner portal (server/src/portal/). Each takes
 * the context, who acts (for the audit log) and its arguments, opens its own transaction
 * where it writes, and answers a value or throws an HttpError (mapped to HTTP in one place).
 * Callers validate the body (zod) and decide who may see which ids before calling.
 */

export type EndpointInput = z.infer<typeof endpointInputSchema>;
export type DeliveryQuery = z.infer<typeof deliveryQuerySchema> & { since?: string; until?: string };

/** PUT: replaces an endpoint's settings (the SSRF guard and catalog checks in prepareEndpoint). */
export async function updateEndpoint(ctx: AppContext, actor: Actor, id: string, input: EndpointInput): Promise<EndpointRow> {
  const existing = await loadEndpoint(ctx.pool, id);
  const columns = await prepareEndpoint(ctx, input, existing);
  const row = await withTransaction(ctx.pool, async (tx) => {
    const before = await loadEndpoint(tx, id, true);
    const disabling = before.enabled && !columns.enabled;
    const enabling = !before.enabled && columns.enabled;
    let after = await replaceEndpoint(tx, id, columns);
    if (enabling) after = (await deliveries.endpointEnabled(tx, id)).row;
    if (disabling) after = await deliveries.endpointDisabledBy(tx, id, `disabled by ${actor.label}`);
    await recordAudit(tx, actor, { action: 'endpoint.update', targetType: 'endpoint', targetId: id, before: toEndpoint(before), after: toEndpoint(after) });
    return after;
  });
  return row;
}

/** Sends the catalog example of a type to this endpoint only (not stored as an event). */
export async function sendTestEvent(ctx: AppContext, actor: Actor, id: string, eventType: string): Promise<DeliveryRow> {
  if (!isEventType(eventType)) {
    throw invalid(`"${eventType}" is not in the event catalog; GET /api/v1/event-types lists the types`, [{ path: 'eventType', message: 'unknown event type' }]);
  }
  const delivery = await withTransaction(ctx.pool, async (tx) => {
    const endpoint = await loadEndpoint(tx, id);
    if (!endpoint.enabled) throw conflict('the endpoint is disabled; enable it before sending a test event');
    // A test is not an event of the store: it is not stored, triggers no workflow and
    // reaches only this endpoint, whatever its subscriptions and filter.
    const envelope = testEnvelope(eventType, eventCatalog[eventType].example as Record<string, unknown>);
    const rows = await deliveries.created(tx, [
      { id: newDeliveryId(), endpointId: id, eventId: envelope.id, eventType: envelope.type, runId: null, nodeId: null, payload: JSON.stringify(webhookPayload(envelope)), acceptedAt: envelope.receivedAt, subject: envelope.subject },
    ]);
    await recordAudit(tx, actor, { action: 'endpoint.test', targetType: 'endpoint', targetId: id, after: { eventType, deliveryId: rows[0]!.id } });
    return rows[0]!;
  });
  return delivery;
}

/** A new signing secret (answered once); the old one keeps signing for `graceSeconds`. */
export async function rotateSecret(ctx: AppContext, actor: Actor, id: string, graceSeconds: number): Promise<{ secret: string; row: EndpointRow }> {
  const secret = generateSigningSecret();
  const row = await withTransaction(ctx.pool, async (tx) => {
    await loadEndpoint(tx, id, true);
    const after = await replaceSigningSecret(tx, id, ctx.secrets.encrypt(secret), graceSeconds);
    await recordAudit(tx, actor, {
      action: 'endpoint.rotate_secret',
      targetType: 'endpoint',
      targetId: id,
      after: { previousSecretExpiresAt: after.previous_secret_expires_at?.toISOString() ?? null },
    });
    return after;
  });
  return { secret, row };
}

/** Sends again every failed or paused delivery since a time, and the events missed while disabled. */
export async function recoverEndpoint(ctx: AppContext, actor: Actor, id: string, since: string): Promise<{ requeued: number; missed: number }> {
  const requeued = await withTransaction(ctx.pool, async (tx) => {
    const endpoint = await loadEndpoint(tx, id, true);
    if (!endpoint.enabled) throw conflict('the endpoint is disabled; enable it first (POST /api/v1/endpoints/:id/enable), then recover');
    const requeued = await deliveries.recoveredSince(tx, id, since);
    const missed = await sendMissed(tx, ctx, endpoint, since);
    await recordAudit(tx, actor, { action: 'endpoint.recover', targetType: 'endpoint', targetId: id, after: { since, requeued, missed } });
    return { requeued, missed };
  });
  return requeued;
}

/** Deliveries to an endpoint, newest first, keyset-paginated; optional time window. */
export async function listDeliveries(db: Queryable, id: string, q: DeliveryQuery): Promise<{ data: DeliverySummary[]; nextCursor: string | null }> {
  await loadEndpoint(db, id);
  const rows = await deliveriesOfEndpoint(db, id, q);
  const page = rows.slice(0, q.limit);
  return { data: page.map(toDeliverySummary), nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.seq) : null };
}

/** One delivery with its payload and every attempt (request and response as sent and received). */
export async function deliveryDetail(db: Queryable, id: string): Promise<DeliveryDetail> {
  const row = await findDeliveryWithPayload(db, id);
  if (!row) throw notFound('delivery', id);
  const attempts = await attemptsOf(db, id);
  return { ...toDeliverySummary(row), payload: row.payload, attempts: attempts.map((a) => toAttempt(a, row.payload)) };
}

/** Sends a delivery again with the same webhook-id and a fresh retry schedule. */
export async function replayDelivery(ctx: AppContext, actor: Actor, id: string): Promise<DeliveryRow> {
  const row = await withTransaction(ctx.pool, async (tx) => {
    const current = await lockDeliveryForReplay(tx, id);
    if (!current) throw notFound('delivery', id);
    if (!current.enabled) throw conflict('the endpoint is disabled; enable it first (POST /api/v1/endpoints/:id/enable)');
    if (current.status === 'sending') throw conflict('the delivery is being sent right now; replay it once this attempt ends');
    const updated = await deliveries.replayed(tx, id);
    await recordAudit(tx, actor, {
      action: 'delivery.replay',
      targetType: 'delivery',
      targetId: id,
      before: { status: current.status },
      after: { status: 'pending', endpointId: current.endpoint_id },
    });
    return updated!;
  });
  return row;
}

export async function loadEndpoint(db: Queryable, id: string, lock = false): Promise<EndpointRow> {
  const row = await findEndpoint(db, id, lock);
  if (!row) throw notFound('endpoint', id);
  return row;
}

const MISSED_LIMIT = 10_000;

/**
 * Events the endpoint subscribes to, received since `since` (and since the endpoint
 * exists), that never became a delivery to it, because it was disabled when they came:
 * they are fanned out to it now, so recovering after an outage leaves no gap.
 */
export async function sendMissed(tx: PoolClient, _ctx: AppContext, endpoint: EndpointRow, since: string): Promise<number> {
  if (endpoint.event_types.length === 0) return 0;
  const exact = endpoint.event_types.filter((p) => !p.endsWith('*'));
  const prefixes = endpoint.event_types.filter((p) => p.endsWith('.*')).map((p) => p.slice(0, -1));
  const all = endpoint.event_types.includes('*');
  const rows = await eventsMissedBy(tx, { id: endpoint.id, createdAt: endpoint.created_at }, since, { all, exact, prefixes }, MISSED_LIMIT);
  const envelopes = rows.map(rowToEnvelope).filter((e) => filterPasses(endpoint.filter, e));
  if (envelopes.length === 0) return 0;
  const inserted = await deliveries.created(
    tx,
    envelopes.map((e) => ({ id: newDeliveryId(), endpointId: endpoint.id, eventId: e.id, eventType: e.type, runId: null, nodeId: null, payload: JSON.stringify(webhookPayload(e)), acceptedAt: e.receivedAt, subject: e.subject })),
  );
  return inserted.length;
}

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

const families = new Set(eventTypes.map((t) => t.split('.')[0]!));

/** Checks what a schema cannot (the target address, catalog types, key material) and prepares the columns. */
export async function prepareEndpoint(ctx: AppContext, input: EndpointInput, existing: EndpointRow | undefined): Promise<EndpointColumns> {
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
    else if (existing?.auth.kind === 'oauth2' && existing.auth_secret_enc) {
      // The stored secret goes only where it went when it was given: moving the token URL
      // (or the endpoint) without it would hand it to whoever runs the new address.
      const moved = existing.auth.tokenUrl !== a.tokenUrl ? 'the token URL' : existing.url !== input.url ? 'the endpoint URL' : undefined;
      if (moved) problems.push({ path: 'auth.clientSecret', message: `send the client secret again: ${moved} changed, and the stored secret is only sent where it was given for` });
      else authSecretEnc = existing.auth_secret_enc;
    } else problems.push({ path: 'auth.clientSecret', message: 'required when choosing OAuth 2.0 client credentials' });
  } else if (a.kind === 'mtls') {
    auth = { kind: 'mtls', cert: a.cert, ...(a.ca ? { ca: a.ca } : {}) };
    let key = a.key;
    const urlMoved = existing !== undefined && existing.url !== input.url;
    if (!key && existing?.auth.kind === 'mtls' && existing.auth_secret_enc && !urlMoved) key = ctx.secrets.decrypt(existing.auth_secret_enc);
    if (!key && urlMoved && existing?.auth.kind === 'mtls') problems.push({ path: 'auth.key', message: 'send the private key again: the endpoint URL changed, and the stored key only authenticates to the address it was given for' });
    else if (!key) problems.push({ path: 'auth.key', message: 'required when choosing mutual TLS' });
    else {
      try {
        tls.createSecureContext({ cert: a.cert, key, ca: a.ca });
        authSecretEnc = a.key ? ctx.secrets.encrypt(a.key) : existing!.auth_secret_enc;
      } catch (error) {
        problems.push({ path: 'auth', message: `the certificate and key do not load together: ${(error as Error).message}` });
      }
    }
  }
  for (const name of headersMissingValue(input.headers, existing?.headers)) {
    problems.push({ path: `headers.${name}`, message: 'send the header value: the mask only keeps a value already stored' });
  }
  // Like the OAuth and mTLS secrets above: a stored header value goes only to the URL it was
  // given for, so moving the endpoint needs each value again (else the new host receives it).
  if (existing && existing.url !== input.url) {
    for (const name of headersKeptByMask(input.headers, existing.headers)) {
      problems.push({ path: `headers.${name}`, message: 'send the header value again: the endpoint URL changed, and the stored value is only sent where it was given for' });
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
    headers: sealHeaders(ctx, input.headers, existing?.headers),
    auth,
    authSecretEnc,
    ordering: input.ordering,
  };
}
