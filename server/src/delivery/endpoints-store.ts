import { HEADER_VALUE_MASK, type DeliveryAttempt, type DeliverySummary, type Endpoint, type EndpointAuth } from '@tripline/shared';
import type { AppContext } from '../context.ts';
import type { Pool } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';
import { serializePayload } from './attempt.ts';
import { deliveryPayloadSql, sentRequestHeaders } from './lean-storage.ts';
import type { StoredEndpointAuth as StoredAuth } from '@tripline/shared';

/** Row ↔ API shapes for endpoints and deliveries. Secrets never leave through here. */

export interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  event_types: string[];
  filter: unknown;
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  rate_limit_per_second: number | null;
  max_concurrency: number | null;
  /** Custom header names in clear, each value a SecretCipher ciphertext (see sealHeaders). */
  headers: Record<string, string>;
  auth: StoredAuth;
  auth_secret_enc: string | null;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

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
  const { rows } = await ctx.pool.query<{ id: string; headers: Record<string, string> }>(
    `select id, headers from endpoints where exists (select 1 from jsonb_each_text(headers) h where h.value not like 'v1.%')`,
  );
  for (const row of rows) {
    const sealed = Object.fromEntries(Object.entries(row.headers).map(([n, v]) => [n, isSealed(v) ? v : ctx.secrets.encrypt(v)]));
    await ctx.pool.query(`update endpoints set headers = $2 where id = $1 and headers = $3`, [row.id, JSON.stringify(sealed), JSON.stringify(row.headers)]);
  }
  return rows.length;
}

export interface DeliveryRow {
  id: string;
  seq: number;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  run_id: string | null;
  node_id: string | null;
  payload: Record<string, unknown>;
  status: DeliverySummary['status'];
  attempt_count: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

export const DELIVERY_COLUMNS = `id, seq, endpoint_id, event_id, event_type, run_id, node_id, status, attempt_count,
  next_attempt_at, last_status_code, last_error, created_at, delivered_at`;

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
  };
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  url: string;
  request_headers: Record<string, string>;
  /** Null: the delivery's payload as sent (attempts store only what differs from their delivery). */
  request_body: string | null;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  duration_ms: number;
  outcome: 'succeeded' | 'failed';
  error_class: string | null;
  error: string | null;
  created_at: Date;
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

export async function listEndpoints(db: Queryable): Promise<EndpointRow[]> {
  const { rows } = await db.query<EndpointRow>('select * from endpoints order by created_at desc, id');
  return rows;
}

/** The columns of a new endpoint, secrets already encrypted. */
export interface NewEndpointRow {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  /** The json-logic filter as JSON text, or null for none. */
  filter: string | null;
  enabled: boolean;
  /** Why it starts disabled (null when enabled): disabled_at is then now. */
  disabledReason: string | null;
  rateLimitPerSecond: number | null;
  maxConcurrency: number | null;
  headers: Record<string, string>;
  auth: StoredAuth;
  authSecretEnc: string | null;
  secretEnc: string;
}

/** What a person sets on an endpoint (create and replace), validated and sealed by prepareEndpoint. */
export type EndpointColumns = Omit<NewEndpointRow, 'id' | 'disabledReason' | 'secretEnc'>;

/** The settings columns in the order both the insert and the replace name them ($2 to $11). */
function settingsValues(c: EndpointColumns): unknown[] {
  return [c.url, c.description, c.eventTypes, c.filter, c.enabled, c.rateLimitPerSecond, c.maxConcurrency, JSON.stringify(c.headers), JSON.stringify(c.auth), c.authSecretEnc];
}

export async function insertEndpoint(db: Queryable, e: NewEndpointRow): Promise<EndpointRow> {
  const { rows } = await db.query<EndpointRow>(
    `insert into endpoints (id, url, description, event_types, filter, enabled,
        rate_limit_per_second, max_concurrency, headers, auth, auth_secret_enc, disabled_reason, disabled_at, secret_enc)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, case when $6 then null else now() end, $13) returning *`,
    [e.id, ...settingsValues(e), e.disabledReason, e.secretEnc],
  );
  return rows[0]!;
}

/** Deleting an endpoint deletes its deliveries and attempts with it (on delete cascade). */
export async function deleteEndpoint(db: Queryable, id: string): Promise<void> {
  await db.query('delete from endpoints where id = $1', [id]);
}

/** Enabled again, with a clean failure record. */
export async function markEndpointEnabled(db: Queryable, id: string): Promise<EndpointRow> {
  const { rows } = await db.query<EndpointRow>(
    `update endpoints set enabled = true, disabled_reason = null, disabled_at = null, failing_since = null, updated_at = now()
      where id = $1 returning *`,
    [id],
  );
  return rows[0]!;
}

export async function findEndpoint(db: Queryable, id: string, lock = false): Promise<EndpointRow | undefined> {
  const { rows } = await db.query<EndpointRow>(`select * from endpoints where id = $1${lock ? ' for update' : ''}`, [id]);
  return rows[0];
}

/**
 * Replaces an endpoint's settings. Disabling records who did it and when; enabling clears
 * that and the failure record.
 */
export async function replaceEndpoint(db: Queryable, id: string, c: EndpointColumns, change: { disabling: boolean; enabling: boolean; disabledReason: string }): Promise<EndpointRow> {
  const { rows } = await db.query<EndpointRow>(
    `update endpoints set url = $2, description = $3, event_types = $4, filter = $5, enabled = $6,
        rate_limit_per_second = $7, max_concurrency = $8, headers = $9, auth = $10, auth_secret_enc = $11,
        disabled_reason = case when $6 then null when $12 then $13 else disabled_reason end,
        disabled_at = case when $6 then null when $12 then now() else disabled_at end,
        failing_since = case when $14 then null else failing_since end, updated_at = now()
      where id = $1 returning *`,
    [id, ...settingsValues(c), change.disabling, change.disabledReason, change.enabling],
  );
  return rows[0]!;
}

/** A new signing secret; with a grace period the old one keeps signing until it ends. */
export async function replaceSigningSecret(db: Queryable, id: string, secretEnc: string, graceSeconds: number): Promise<EndpointRow> {
  const { rows } = await db.query<EndpointRow>(
    `update endpoints set previous_secret_enc = case when $3::float8 > 0 then secret_enc end,
        previous_secret_expires_at = case when $3::float8 > 0 then now() + make_interval(secs => $3::float8) end,
        secret_enc = $2, updated_at = now()
      where id = $1 returning *`,
    [id, secretEnc, graceSeconds],
  );
  return rows[0]!;
}

/** Whether the endpoint is enabled; undefined when it does not exist. */
export async function endpointEnabled(db: Queryable, id: string): Promise<boolean | undefined> {
  const { rows } = await db.query<{ enabled: boolean }>('select enabled from endpoints where id = $1', [id]);
  return rows[0]?.enabled;
}

// Reads of deliveries (and of the events an endpoint missed) for the endpoints API and the
// portal. The worker's claims and writes are in deliveries-data.ts.

export interface DeliveryFilter {
  cursor?: string;
  status?: string;
  eventType?: string;
  since?: string;
  until?: string;
  limit: number;
}

/** A page of an endpoint's deliveries, newest first, and one more row when there is a next page. */
export async function deliveriesOfEndpoint(db: Queryable, endpointId: string, q: DeliveryFilter): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `select ${DELIVERY_COLUMNS} from deliveries
      where endpoint_id = $1 and ($2::bigint is null or seq < $2) and ($3::text is null or status = $3) and ($4::text is null or event_type = $4)
        and ($6::timestamptz is null or created_at >= $6) and ($7::timestamptz is null or created_at < $7)
      order by seq desc limit $5`,
    [endpointId, q.cursor ?? null, q.status ?? null, q.eventType ?? null, q.limit + 1, q.since ?? null, q.until ?? null],
  );
  return rows;
}

export async function findDeliveryWithPayload(db: Queryable, id: string): Promise<DeliveryRow | undefined> {
  const { rows } = await db.query<DeliveryRow>(`select ${DELIVERY_COLUMNS}, ${deliveryPayloadSql('deliveries')} as payload from deliveries where id = $1`, [id]);
  return rows[0];
}

/** Locks a delivery for a replay; answers its status, its endpoint and whether that is enabled. */
export async function lockDeliveryForReplay(db: Queryable, id: string): Promise<{ status: DeliveryRow['status']; endpoint_id: string; enabled: boolean } | undefined> {
  const { rows } = await db.query<{ status: DeliveryRow['status']; endpoint_id: string; enabled: boolean }>(
    `select d.status, d.endpoint_id, e.enabled from deliveries d join endpoints e on e.id = d.endpoint_id where d.id = $1 for update of d`,
    [id],
  );
  return rows[0];
}

const EVENT_ENVELOPE_COLUMNS = 'ev.id, ev.type, ev.occurred_at, ev.received_at, ev.source, ev.caused_by, ev.chain, ev.subject, ev.data';

/**
 * Events of the given types received since `since` (and not before `notBefore`, the
 * endpoint's creation) that never became a delivery to the endpoint, oldest first.
 */
export async function eventsMissedBy(
  db: Queryable,
  endpoint: { id: string; createdAt: Date },
  since: string,
  types: { all: boolean; exact: string[]; prefixes: string[] },
  limit: number,
): Promise<({ id: string } & Record<string, unknown>)[]> {
  const { rows } = await db.query<{ id: string } & Record<string, unknown>>(
    `select ${EVENT_ENVELOPE_COLUMNS} from events ev
      where ev.received_at >= greatest($2::timestamptz, $3::timestamptz)
        and ($4 or ev.type = any($5::text[]) or split_part(ev.type, '.', 1) || '.' = any($6::text[]))
        and not exists (select 1 from deliveries d where d.endpoint_id = $1 and d.event_id = ev.id and d.run_id is null)
      order by ev.seq limit $7`,
    [endpoint.id, since, endpoint.createdAt, types.all, types.exact, types.prefixes, limit],
  );
  return rows;
}

/** Where a workflow step's delivery stands, for the step resuming on it. */
export async function deliveryOutcome(
  db: Queryable,
  id: string,
): Promise<{ status: DeliveryRow['status']; attempt_count: number; last_status_code: number | null; last_error: string | null } | undefined> {
  const { rows } = await db.query<{ status: DeliveryRow['status']; attempt_count: number; last_status_code: number | null; last_error: string | null }>(
    'select status, attempt_count, last_status_code, last_error from deliveries where id = $1',
    [id],
  );
  return rows[0];
}

/**
 * The endpoint_slots statements behind the shared rate limit and concurrency cap (see
 * throttle.ts): run in one transaction, under the lock on the endpoint's row.
 */
export async function lockEndpointForSlots(tx: Queryable, endpointId: string): Promise<void> {
  await tx.query('select 1 from endpoints where id = $1 for update', [endpointId]);
}

/** Slots older than the rate window that were released or whose worker died. */
export async function pruneEndpointSlots(tx: Queryable, endpointId: string): Promise<void> {
  await tx.query(
    `delete from endpoint_slots
      where endpoint_id = $1 and started_at < clock_timestamp() - interval '1 second'
        and (released_at is not null or expires_at < clock_timestamp())`,
    [endpointId],
  );
}

/** Sends in flight, sends started in the last second, and how long until the oldest of those leaves the window. */
export async function endpointSlotUsage(tx: Queryable, endpointId: string): Promise<{ in_flight: number; recent: number; rate_wait_ms: number | null }> {
  const { rows } = await tx.query<{ in_flight: number; recent: number; rate_wait_ms: number | null }>(
    `select count(*) filter (where released_at is null and expires_at > clock_timestamp())::int as in_flight,
            count(*) filter (where started_at > clock_timestamp() - interval '1 second')::int as recent,
            (extract(epoch from min(started_at) filter (where started_at > clock_timestamp() - interval '1 second')
               + interval '1 second' - clock_timestamp()) * 1000)::float8 as rate_wait_ms
       from endpoint_slots where endpoint_id = $1`,
    [endpointId],
  );
  return rows[0]!;
}

export async function insertEndpointSlots(tx: Queryable, endpointId: string, deliveryIds: string[], ttlMs: number): Promise<void> {
  await tx.query(
    `insert into endpoint_slots (endpoint_id, delivery_id, expires_at)
       select $1, d, clock_timestamp() + make_interval(secs => $3) from unnest($2::text[]) as d`,
    [endpointId, deliveryIds, ttlMs / 1000],
  );
}
