import { HEADER_VALUE_MASK, type DeliveryAttempt, type DeliverySummary, type Endpoint, type EndpointAuth } from '@tripline/shared';
import type { AppContext } from '../context.ts';
import type { AttemptRow, DeliveryRow } from '../db/delivery-reads.ts';
import { sentRequestHeaders } from '../db/delivery-storage.ts';
import { endpointsWithClearHeaders, replaceHeadersIfUnchanged, type EndpointRow } from '../db/endpoints.ts';
import type { Pool } from '../db/pool.ts';
import { serializePayload } from './payload.ts';

/**
 * Row ↔ API shapes for endpoints and deliveries, and the sealing of endpoint header values.
 * Secrets never leave through here. The SQL is in db/endpoints.ts and db/delivery-reads.ts.
 */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toEndpoint(row: EndpointRow): Endpoint {
  let auth: EndpointAuth;
  const a = row.auth ?? { kind: 'none' };
  if (a.kind === 'oauth2') {
    auth = { kind: 'oauth2', tokenUrl: a.tokenUrl, clientId: a.clientId, ...(a.scope ? { scope: a.scope } : {}), hasClientSecret: row.auth_secret_enc !== null };
  } else if (a.kind === 'mtls') {
    auth = { kind: 'mtls', cert: a.cert, ...(a.ca ? { ca: a.ca } : {}), hasKey: row.auth_secret_enc !== null };
  } else {
    auth = { kind: 'none' };
  }
  const rotating = row.previous_secret_expires_at && row.previous_secret_expires_at.getTime() > Date.now();
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    filter: row.filter ?? null,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    disabledAt: iso(row.disabled_at),
    rateLimitPerSecond: row.rate_limit_per_second,
    maxConcurrency: row.max_concurrency,
    headers: maskHeaders(row.headers),
    auth,
    ordering: row.ordering ?? 'none',
    failingSince: iso(row.failing_since),
    previousSecretExpiresAt: rotating ? iso(row.previous_secret_expires_at) : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

type Secrets = Pick<AppContext, 'secrets'>;
const isSealed = (value: string) => value.startsWith('v1.');

/** Names kept, values masked: what the API, the console and the audit log show. */
export function maskHeaders(headers: Record<string, string> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.keys(headers ?? {}).map((name) => [name, HEADER_VALUE_MASK]));
}

/**
 * The headers column to store: each value encrypted. A value sent as the mask keeps the
 * stored one (the console sends back what it was shown); a mask for a header that has no
 * stored value is refused by the caller (see headersMissingValue).
 */
export function sealHeaders(ctx: Secrets, input: Record<string, string>, existing: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(input)) {
    const kept = existing?.[name];
    if (value === HEADER_VALUE_MASK && kept !== undefined) out[name] = isSealed(kept) ? kept : ctx.secrets.encrypt(kept);
    else out[name] = ctx.secrets.encrypt(value);
  }
  return out;
}

/** Header names sent as the mask without a stored value to keep. */
export function headersMissingValue(input: Record<string, string>, existing: Record<string, string> | undefined): string[] {
  return Object.entries(input)
    .filter(([name, value]) => value === HEADER_VALUE_MASK && existing?.[name] === undefined)
    .map(([name]) => name);
}

/** Header names sent as the mask that keep a stored value. */
export function headersKeptByMask(input: Record<string, string>, existing: Record<string, string> | undefined): string[] {
  return Object.entries(input)
    .filter(([name, value]) => value === HEADER_VALUE_MASK && existing?.[name] !== undefined)
    .map(([name]) => name);
}

/** The clear header values, for the one place that needs them: the request to the receiver. */
export function endpointHeaders(ctx: Secrets, row: { headers: Record<string, string> | null }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(row.headers ?? {})) out[name] = isSealed(value) ? ctx.secrets.decrypt(value) : value;
  return out;
}

/**
 * Header values stored in clear before they were treated as secrets (before migration
 * 0010) are encrypted once at start-up; idempotent, and cheap when there is nothing to do.
 */
export async function sealClearHeaders(ctx: Secrets & { pool: Pool }): Promise<number> {
  const rows = await endpointsWithClearHeaders(ctx.pool);
  for (const row of rows) {
    const sealed = Object.fromEntries(Object.entries(row.headers).map(([n, v]) => [n, isSealed(v) ? v : ctx.secrets.encrypt(v)]));
    await replaceHeadersIfUnchanged(ctx.pool, row.id, sealed, row.headers);
  }
  return rows.length;
}

export function toDeliverySummary(row: DeliveryRow): DeliverySummary {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    runId: row.run_id,
    nodeId: row.node_id,
    status: row.status,
    attemptCount: row.attempt_count,
    nextAttemptAt: iso(row.next_attempt_at),
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    deliveredAt: iso(row.delivered_at),
    ...(row.waiting_for !== undefined ? { waitingFor: row.waiting_for } : {}),
  };
}

export function toAttempt(row: AttemptRow, payload: Record<string, unknown>): DeliveryAttempt {
  return {
    attempt: row.attempt,
    url: row.url,
    requestHeaders: sentRequestHeaders(row.delivery_id, row.request_headers),
    requestBody: row.request_body ?? serializePayload(payload),
    responseStatus: row.response_status,
    responseHeaders: row.response_headers,
    responseBody: row.response_body,
    durationMs: row.duration_ms,
    outcome: row.outcome,
    errorClass: row.error_class,
    error: row.error,
    createdAt: row.created_at.toISOString(),
  };
}
