import type { EndpointOrdering, StoredEndpointAuth as StoredAuth } from '@tripline/shared';
import type { Queryable } from './queryable.ts';

/**
 * Every statement on the endpoints table and its endpoint_slots. The endpoint's health
 * (enabled, disabled_reason, failing_since) is written only through delivery/state-machine.ts,
 * which calls the `mark*` functions here; the settings columns are written by the endpoint
 * operations (create, replace, rotate).
 */

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
  /** Custom header names in clear, each value a SecretCipher ciphertext (see delivery/endpoints-store.ts sealHeaders). */
  headers: Record<string, string>;
  auth: StoredAuth;
  auth_secret_enc: string | null;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
  ordering: EndpointOrdering;
  created_at: Date;
  updated_at: Date;
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
  /** 'none' when omitted. */
  ordering?: EndpointOrdering;
}

/** What a person sets on an endpoint (create and replace), validated and sealed by prepareEndpoint. */
export type EndpointColumns = Omit<NewEndpointRow, 'id' | 'disabledReason' | 'secretEnc'>;

/** The settings columns in the order the insert names them ($2 to $11). */
function settingsValues(c: EndpointColumns): unknown[] {
  return [c.url, c.description, c.eventTypes, c.filter, c.enabled, c.rateLimitPerSecond, c.maxConcurrency, JSON.stringify(c.headers), JSON.stringify(c.auth), c.authSecretEnc];
}

export async function insertEndpoint(db: Queryable, e: NewEndpointRow): Promise<EndpointRow> {
  const { rows } = await db.query<EndpointRow>(
    `insert into endpoints (id, url, description, event_types, filter, enabled,
        rate_limit_per_second, max_concurrency, headers, auth, auth_secret_enc, disabled_reason, disabled_at, secret_enc, ordering)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, case when $6 then null else now() end, $13, $14) returning *`,
    [e.id, ...settingsValues(e), e.disabledReason, e.secretEnc, e.ordering ?? 'none'],
  );
  return rows[0]!;
}

/** Deleting an endpoint deletes its deliveries and attempts with it (on delete cascade). */
export async function deleteEndpointRow(db: Queryable, id: string): Promise<void> {
  await db.query('delete from endpoints where id = $1', [id]);
}

export async function findEndpoint(db: Queryable, id: string, lock = false): Promise<EndpointRow | undefined> {
  const { rows } = await db.query<EndpointRow>(`select * from endpoints where id = $1${lock ? ' for update' : ''}`, [id]);
  return rows[0];
}

/**
 * Replaces an endpoint's settings. Whether it is enabled is its health, not a setting
 * written here: the caller moves it through delivery/state-machine.ts.
 */
export async function replaceEndpoint(db: Queryable, id: string, c: EndpointColumns): Promise<EndpointRow> {
  const { rows } = await db.query<EndpointRow>(
    `update endpoints set url = $2, description = $3, event_types = $4, filter = $5,
        rate_limit_per_second = $6, max_concurrency = $7, headers = $8, auth = $9, auth_secret_enc = $10, ordering = $11, updated_at = now()
      where id = $1 returning *`,
    [id, c.url, c.description, c.eventTypes, c.filter, c.rateLimitPerSecond, c.maxConcurrency, JSON.stringify(c.headers), JSON.stringify(c.auth), c.authSecretEnc, c.ordering ?? 'none'],
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

/** Endpoints with header values stored in clear (before migration 0010). */
export async function endpointsWithClearHeaders(db: Queryable): Promise<{ id: string; headers: Record<string, string> }[]> {
  const { rows } = await db.query<{ id: string; headers: Record<string, string> }>(
    `select id, headers from endpoints where exists (select 1 from jsonb_each_text(headers) h where h.value not like 'v1.%')`,
  );
  return rows;
}

/** Replaces the headers column only if nobody changed it since it was read. */
export async function replaceHeadersIfUnchanged(db: Queryable, id: string, headers: Record<string, string>, was: Record<string, string>): Promise<void> {
  await db.query(`update endpoints set headers = $2 where id = $1 and headers = $3`, [id, JSON.stringify(headers), JSON.stringify(was)]);
}

/** Whether the endpoint is enabled; undefined when it does not exist. */
export async function endpointEnabled(db: Queryable, id: string): Promise<boolean | undefined> {
  const { rows } = await db.query<{ enabled: boolean }>('select enabled from endpoints where id = $1', [id]);
  return rows[0]?.enabled;
}

export async function endpointsEnabled(db: Queryable, ids: string[]): Promise<Map<string, boolean>> {
  const { rows } = await db.query<{ id: string; enabled: boolean }>(`select id, enabled from endpoints where id = any($1::text[])`, [ids]);
  return new Map(rows.map((r) => [r.id, r.enabled]));
}

/** The enabled endpoints subscribed to any of these patterns, with their filters: one index lookup. */
export async function subscribedEndpoints(db: Queryable, patterns: string[]): Promise<{ id: string; event_types: string[]; filter: unknown }[]> {
  const { rows } = await db.query<{ id: string; event_types: string[]; filter: unknown }>(
    `select id, event_types, filter from endpoints where enabled and event_types && $1::text[]`,
    [patterns],
  );
  return rows;
}

// Health: written only by delivery/state-machine.ts.

/** Enabled again, with a clean failure record. */
export async function markEndpointEnabled(db: Queryable, id: string): Promise<EndpointRow> {
  const { rows } = await db.query<EndpointRow>(
    `update endpoints set enabled = true, disabled_reason = null, disabled_at = null, failing_since = null, updated_at = now()
      where id = $1 returning *`,
    [id],
  );
  return rows[0]!;
}

/** Disables an endpoint once; answers its URL, or undefined if it was already disabled. */
export async function markEndpointDisabled(db: Queryable, endpointId: string, reason: string): Promise<string | undefined> {
  const { rows } = await db.query<{ url: string }>(
    `update endpoints set enabled = false, disabled_reason = $2, disabled_at = now(), updated_at = now()
      where id = $1 and enabled returning url`,
    [endpointId, reason],
  );
  return rows[0]?.url;
}

/** Endpoint rows change only when their state does: an endpoint that answered is no longer failing; one that failed starts failing. */
export async function markFailingSince(db: Queryable, answered: string[], failed: string[]): Promise<void> {
  if (answered.length) await db.query(`update endpoints set failing_since = null where id = any($1::text[]) and failing_since is not null`, [answered]);
  if (failed.length) await db.query(`update endpoints set failing_since = now() where id = any($1::text[]) and failing_since is null`, [failed]);
}

// The endpoint_slots statements behind the shared rate limit and concurrency cap (see
// delivery/throttle.ts): run in one transaction, under the lock on the endpoint's row.

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

export async function releaseSlots(tx: Queryable, deliveryIds: string[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await tx.query(`update endpoint_slots set released_at = clock_timestamp() where delivery_id = any($1::text[]) and released_at is null`, [deliveryIds]);
}
