import type { StoredEndpointAuth as StoredAuth } from '@tripline/shared';
import { DELIVERY_COLUMNS, type DeliveryRow } from './delivery-reads.ts';
import { asStoredJson, deliveryPayloadSql, storedPayloadSql, storedRequestHeaders, storedResponseHeaders } from './delivery-storage.ts';
import type { Queryable } from './queryable.ts';

/**
 * Every statement that writes the deliveries queue (migration 0009: the deliveries table is
 * its own queue), by name. A delivery is due when `pending` and `next_attempt_at <= now()`;
 * a claim marks a batch `sending` under a lease token; only that token may record the
 * outcome. These are called by delivery/state-machine.ts alone, which decides and fires
 * the side effects; nothing here decides policy.
 */

/** The channel the claim loops LISTEN on: one notification per transaction that made work due. */
export const DUE_CHANNEL = 'tripline_deliveries';

/** One NOTIFY per transaction (PostgreSQL folds identical ones and sends them at commit). */
export async function notifyDue(tx: Queryable): Promise<void> {
  await tx.query(`select pg_notify('${DUE_CHANNEL}', '')`);
}

export interface NewDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  runId: string | null;
  nodeId: string | null;
  payload: string;
  acceptedAt: string | null;
  /** A workflow step's for_each iteration; -1 (the default) outside a loop and for subscriptions. */
  iteration?: number;
  /** The event's subject: the order key when the endpoint delivers in order (`ordering = 'subject'`). */
  subject?: string | null;
}

/**
 * A lease taken at birth: deliveries made by a process that also sends are inserted already
 * `sending` under its token, and that process sends them right after its commit from what it
 * holds in memory, with no claim. Another worker takes one only when the lease runs out (its
 * maker died), under the same id. Ordered endpoints' deliveries are never leased at birth:
 * they wait their turn through the claim.
 */
export interface BirthLease {
  token: string;
  seconds: number;
  failureWindowSeconds: number;
}

export type InsertedDelivery = DeliveryRow & { iteration: number; claim?: ClaimedDelivery };

/**
 * One multi-row insert, and one NOTIFY when any row was new and left for a claim
 * (PostgreSQL folds identical notifications of a transaction and sends them at commit): one
 * statement for both. A (endpoint, event) or (run, node, iteration) already delivered is
 * skipped, and so is a row whose endpoint does not exist or is disabled (the caller asks why
 * only for those). With a `lease`, rows born leased come back with their `claim`.
 */
export async function insertDeliveries(tx: Queryable, rows: NewDelivery[], lease?: BirthLease): Promise<InsertedDelivery[]> {
  if (rows.length === 0) return [];
  const { rows: inserted } = await tx.query<DeliveryRow & { iteration: number } & Omit<ClaimedDelivery, 'payload' | 'id'>>(
    `with ins as (
       insert into deliveries (id, endpoint_id, event_id, event_type, run_id, node_id, payload, accepted_at, status, next_attempt_at, iteration, order_key,
                               attempt_count, lease_until, lease_token)
       select t.id, t.endpoint_id, t.event_id, t.event_type, t.run_id, t.node_id, ${storedPayloadSql('t.event_id', 't.payload')}, t.accepted_at,
              case when leased then 'sending' else 'pending' end, now(), t.iteration, case when e.ordering = 'subject' then t.subject end,
              case when leased then 1 else 0 end, case when leased then now() + make_interval(secs => $12) end, case when leased then $11 end
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::timestamptz[], $9::int[], $10::text[])
           with ordinality as t(id, endpoint_id, event_id, event_type, run_id, node_id, payload, accepted_at, iteration, subject, ord)
         join endpoints e on e.id = t.endpoint_id and e.enabled
         cross join lateral (select $11::text is not null and e.ordering <> 'subject' as leased) l
        -- In event order: an ordered endpoint's deliveries of one subject take seq in this order.
        order by t.ord
       on conflict do nothing
       returning ${DELIVERY_COLUMNS}, iteration, lease_token, retry_from, accepted_at
     )
     select ins.*, e.url, e.headers, e.auth, e.auth_secret_enc, e.secret_enc, e.previous_secret_enc, e.previous_secret_expires_at,
            e.enabled, e.rate_limit_per_second, e.max_concurrency, e.failing_since,
            coalesce(now() - e.failing_since > make_interval(secs => $13), false) as failing_expired
       from ins join endpoints e on e.id = ins.endpoint_id,
            -- One row whatever happens; the NOTIFY only when a row was left for a claim.
            (select count(*) from (select pg_notify('${DUE_CHANNEL}', '') from ins where status = 'pending' limit 1) one) wake`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.endpointId),
      rows.map((r) => r.eventId),
      rows.map((r) => r.eventType),
      rows.map((r) => r.runId),
      rows.map((r) => r.nodeId),
      rows.map((r) => r.payload),
      rows.map((r) => r.acceptedAt),
      rows.map((r) => r.iteration ?? -1),
      rows.map((r) => r.subject ?? null),
      lease?.token ?? null,
      lease?.seconds ?? 0,
      lease?.failureWindowSeconds ?? 0,
    ],
  );
  const payloads = new Map(rows.map((r) => [r.id, r.payload]));
  return inserted.map((r) => {
    const {
      lease_token, retry_from, accepted_at, url, headers, auth, auth_secret_enc, secret_enc, previous_secret_enc, previous_secret_expires_at,
      enabled, rate_limit_per_second, max_concurrency, failing_since, failing_expired, endpoint_id, run_id, node_id, attempt_count, ...rest
    } = r;
    const row = { ...rest, endpoint_id, run_id, node_id, attempt_count } as InsertedDelivery;
    if (r.status === 'sending' && lease_token !== null) {
      row.claim = {
        id: r.id, lease_token, endpoint_id, run_id, node_id, payload: asStoredJson(JSON.parse(payloads.get(r.id)!)) as Record<string, unknown>, attempt_count, retry_from, accepted_at,
        url, headers, auth, auth_secret_enc, secret_enc, previous_secret_enc, previous_secret_expires_at, enabled, rate_limit_per_second, max_concurrency,
        failing_expired, failing_since,
      };
    }
    return row;
  });
}

export interface ClaimedDelivery {
  id: string;
  lease_token: string;
  endpoint_id: string;
  run_id: string | null;
  node_id: string | null;
  payload: Record<string, unknown>;
  attempt_count: number;
  retry_from: number;
  accepted_at: Date | null;
  url: string;
  headers: Record<string, string>;
  auth: StoredAuth;
  auth_secret_enc: string | null;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_expires_at: Date | null;
  enabled: boolean;
  rate_limit_per_second: number | null;
  max_concurrency: number | null;
  /** The endpoint has been failing for longer than the failure window (as of the claim). */
  failing_expired: boolean;
  failing_since: Date | null;
}

/**
 * Claims up to `limit` due deliveries in one statement: `sending`, one more attempt, a
 * lease of `leaseSeconds` under `token`, joined with their endpoints.
 */
export async function claimDue(db: Queryable, opts: { limit: number; leaseSeconds: number; token: string; failureWindowSeconds: number }): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<ClaimedDelivery>(
    `with due as (
       select d.id from deliveries d
        where d.status = 'pending' and d.next_attempt_at <= now()
          -- An ordered endpoint's delivery waits while an earlier one of its subject is unsettled
          -- (pending, retrying or being sent): one subject at a time, in event order. Rows of
          -- unordered endpoints have no order_key and never run the probe.
          and (d.order_key is null or not exists (
                select 1 from deliveries p
                 where p.endpoint_id = d.endpoint_id and p.order_key = d.order_key and p.seq < d.seq and p.status in ('pending', 'sending')))
        order by d.next_attempt_at
        limit $1
        for update skip locked
     ), claimed as (
       update deliveries d
          set status = 'sending', attempt_count = d.attempt_count + 1, lease_until = now() + make_interval(secs => $2),
              lease_token = $3, updated_at = now()
         from due where d.id = due.id
       returning d.id, d.lease_token, d.endpoint_id, d.run_id, d.node_id, ${deliveryPayloadSql('d')} as payload, d.attempt_count, d.retry_from, d.accepted_at
     )
     select c.*, e.url, e.headers, e.auth, e.auth_secret_enc, e.secret_enc, e.previous_secret_enc, e.previous_secret_expires_at,
            e.enabled, e.rate_limit_per_second, e.max_concurrency, e.failing_since,
            coalesce(now() - e.failing_since > make_interval(secs => $4), false) as failing_expired
       from claimed c join endpoints e on e.id = c.endpoint_id`,
    [opts.limit, opts.leaseSeconds, opts.token, opts.failureWindowSeconds],
  );
  return rows;
}

/**
 * Keeps the leases of deliveries still being sent by this process. Rows locked right now
 * are being recorded (their lease is about to end anyway): skipped, so a renewal never
 * waits on, or deadlocks with, the write of a batch's outcomes.
 */
export async function renewLeases(db: Queryable, held: { id: string; token: string }[], leaseSeconds: number): Promise<void> {
  if (held.length === 0) return;
  await db.query(
    `update deliveries d set lease_until = now() + make_interval(secs => $3)
       from (select x.id from deliveries x join unnest($1::text[], $2::text[]) as t(id, token) on x.id = t.id and x.lease_token = t.token
              where x.status = 'sending' for update of x skip locked) held
      where d.id = held.id`,
    [held.map((h) => h.id), held.map((h) => h.token), leaseSeconds],
  );
}

/** A `sending` delivery whose lease expired was held by a worker that died: due again, same webhook-id. */
export async function reclaimExpiredLeases(db: Queryable, limit = 500): Promise<number> {
  const { rowCount } = await db.query(
    `update deliveries d set status = 'pending', next_attempt_at = now(), lease_token = null, lease_until = null, updated_at = now()
       from (select id from deliveries where status = 'sending' and lease_until < now() order by lease_until limit $1 for update skip locked) x
      where d.id = x.id`,
    [limit],
  );
  return rowCount ?? 0;
}

/**
 * Backstop: a pending delivery is due by definition, so only one whose next attempt was
 * lost (no next_attempt_at, e.g. written by an older version) or a sending one whose lease
 * is gone or was never set needs a nudge.
 */
export async function requeueStranded(tx: Queryable, overdueMinutes: number, limit: number): Promise<number> {
  const { rowCount } = await tx.query(
    `update deliveries d set status = 'pending', next_attempt_at = now(), lease_token = null, lease_until = null, updated_at = now()
       from (select id from deliveries
              where (status = 'pending' and next_attempt_at is null)
                 or (status = 'sending' and coalesce(lease_until, updated_at) < now() - make_interval(mins => $1))
              order by seq limit $2 for update skip locked) x
      where d.id = x.id`,
    [overdueMinutes, limit],
  );
  return rowCount ?? 0;
}

/** A delivery row as the statements that settle deliveries return it. */
export interface OutcomeRow {
  id: string;
  endpoint_id: string;
  run_id: string | null;
  node_id: string | null;
  status: string;
  attempt_count: number;
  last_status_code: number | null;
  last_error: string | null;
}

/** A delivery row as an outcome left it. */
export interface SettledRow {
  deliveryId: string;
  endpointId: string;
  runId: string | null;
  nodeId: string | null;
  status: string;
  attempts: number;
  statusCode: number | null;
  error: string | null;
}

function toSettled(r: OutcomeRow): SettledRow {
  return {
    deliveryId: r.id,
    endpointId: r.endpoint_id,
    runId: r.run_id,
    nodeId: r.node_id,
    status: r.status,
    attempts: r.attempt_count,
    statusCode: r.last_status_code,
    error: r.last_error,
  };
}

const OUTCOME_COLUMNS = 'id, endpoint_id, run_id, node_id, status, attempt_count, last_status_code, last_error';

/** An endpoint's queued deliveries wait while it is disabled; a workflow step's cannot wait and fails. */
export async function parkPending(tx: Queryable, endpointId: string, reason: string): Promise<SettledRow[]> {
  const { rows } = await tx.query<OutcomeRow>(
    `update deliveries set status = case when run_id is null then 'paused' else 'failed' end,
            next_attempt_at = null, updated_at = now(), last_error = coalesce(last_error, $2)
      where endpoint_id = $1 and status = 'pending'
      returning ${OUTCOME_COLUMNS}`,
    [endpointId, reason],
  );
  return rows.map(toSettled);
}

/** Before an endpoint is deleted, its unfinished workflow-step deliveries fail, so their runs move on. */
export async function failStepDeliveriesOf(tx: Queryable, endpointId: string, reason: string): Promise<SettledRow[]> {
  const { rows } = await tx.query<OutcomeRow>(
    `update deliveries set status = 'failed', next_attempt_at = null, lease_token = null, lease_until = null, updated_at = now(), last_error = $2
      where endpoint_id = $1 and run_id is not null and status in ('pending', 'sending')
      returning ${OUTCOME_COLUMNS}`,
    [endpointId, reason],
  );
  return rows.map(toSettled);
}

/** Due again with the whole retry schedule (replay, recover, enable, a run's retry): same id, so the same webhook-id. */
const REQUEUE = `status = 'pending', retry_from = attempt_count, next_attempt_at = now(), lease_token = null, lease_until = null, updated_at = now()`;

export async function requeueDelivery(tx: Queryable, id: string): Promise<DeliveryRow | undefined> {
  const { rows } = await tx.query<DeliveryRow>(`update deliveries set ${REQUEUE} where id = $1 returning ${DELIVERY_COLUMNS}`, [id]);
  return rows[0];
}

export async function requeueFailedSince(tx: Queryable, endpointId: string, since: string): Promise<number> {
  const { rowCount } = await tx.query(`update deliveries set ${REQUEUE} where endpoint_id = $1 and status in ('failed', 'paused') and created_at >= $2`, [endpointId, since]);
  return rowCount ?? 0;
}

export async function requeuePaused(tx: Queryable, endpointId: string): Promise<number> {
  const { rowCount } = await tx.query(`update deliveries set ${REQUEUE} where endpoint_id = $1 and status = 'paused'`, [endpointId]);
  return rowCount ?? 0;
}

/**
 * A failed webhook step's delivery, due again for a retry of its run, in the run's current
 * for_each iteration, or in `iteration` when given (a forked run's branch keeps its own loop).
 */
export async function requeueFailedStepDelivery(tx: Queryable, runId: string, nodeId: string, iteration?: number): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(
    `update deliveries set ${REQUEUE}
      where run_id = $1 and node_id = $2 and status = 'failed'
        and iteration = coalesce($3::int, (select (loop_state->>'index')::int from runs where id = $1), -1)
      returning id`,
    [runId, nodeId, iteration ?? null],
  );
  return rows.map((r) => r.id);
}

/** What one claimed delivery came to. `parked`: paused (subscription) or failed (workflow step), the endpoint being disabled. */
export interface Outcome {
  id: string;
  token: string;
  status: 'succeeded' | 'failed' | 'pending' | 'parked';
  /** False when no request went out (throttled, endpoint disabled): the attempt is given back. */
  attempted: boolean;
  nextAttemptAt: Date | null;
  statusCode: number | null;
  error: string | null;
  parkReason: string | null;
}

export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  url: string;
  requestHeaders: Record<string, string>;
  /** Null when it is the delivery's payload as serialized (nearly always). */
  requestBody: string | null;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  durationMs: number;
  outcome: 'succeeded' | 'failed';
  errorClass: string | null;
  error: string | null;
}

/** A delivery row as its outcome left it, with its endpoint's failing state as the write saw it. */
export interface RecordedRow extends SettledRow {
  /** The endpoint had `failing_since` set when the outcome was written. */
  endpointFailing: boolean;
  /** An ordered endpoint's delivery (it may have held later ones of its subject). */
  ordered: boolean;
}

/**
 * Writes the outcomes of a batch and the attempts behind them in one statement (it runs
 * once per batch on the hot path). A delivery whose lease this claim no longer holds
 * (reclaimed after its lease expired) is left alone, gets no attempt row and is not
 * returned. A delivery due for a retry whose endpoint was disabled meanwhile is parked.
 */
export async function recordOutcomesAndAttempts(tx: Queryable, unordered: Outcome[], attempts: AttemptRecord[]): Promise<RecordedRow[]> {
  if (unordered.length === 0) return [];
  // Rows are locked in id order (the update walks the sorted input), as by every other batch.
  const outcomes = [...unordered].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const { rows } = await tx.query<OutcomeRow & { endpoint_failing: boolean; ordered: boolean }>(
    `with t as (
       select * from unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::timestamptz[], $6::int[], $7::text[], $8::text[])
         as t(id, token, status, attempted, next_at, status_code, error, reason)
     ), x as (
       select t.*, (t.status = 'parked' or (t.status = 'pending' and not e.enabled)) as park, e.failing_since is not null as endpoint_failing
         from t join deliveries d0 on d0.id = t.id join endpoints e on e.id = d0.endpoint_id
     ), recorded as (
       update deliveries d
          set status = case when x.park then (case when d.run_id is null then 'paused' else 'failed' end) else x.status end,
              attempt_count = case when x.attempted then d.attempt_count else d.attempt_count - 1 end,
              next_attempt_at = case when x.status = 'pending' and not x.park then x.next_at end,
              delivered_at = case when x.status = 'succeeded' then now() else d.delivered_at end,
              last_status_code = case when x.attempted then x.status_code else d.last_status_code end,
              last_error = case when x.park then coalesce(case when x.attempted then x.error end, d.last_error, x.reason, 'the endpoint is disabled')
                                when x.attempted then x.error else d.last_error end,
              lease_until = null, lease_token = null, updated_at = now()
         from x
        where d.id = x.id and d.lease_token = x.token and d.status = 'sending'
        returning d.id, d.endpoint_id, d.run_id, d.node_id, d.status, d.attempt_count, d.last_status_code, d.last_error, x.endpoint_failing,
                  d.order_key is not null as ordered
     ), attempts as (
       -- Only deliveries this claim still owned (the ones recorded above) get their attempt.
       insert into delivery_attempts
         (delivery_id, attempt, url, request_headers, request_body, response_status, response_headers, response_body, duration_ms, outcome, error_class, error)
       select a.delivery_id, a.attempt, a.url, a.request_headers, a.request_body, a.response_status, a.response_headers, a.response_body,
              a.duration_ms, a.outcome, a.error_class, a.error
         from unnest($9::text[], $10::int[], $11::text[], $12::jsonb[], $13::text[], $14::int[], $15::jsonb[], $16::text[], $17::int[], $18::text[], $19::text[], $20::text[])
           as a(delivery_id, attempt, url, request_headers, request_body, response_status, response_headers, response_body, duration_ms, outcome, error_class, error)
         join recorded on recorded.id = a.delivery_id
     )
     select * from recorded`,
    [
      outcomes.map((o) => o.id),
      outcomes.map((o) => o.token),
      outcomes.map((o) => o.status),
      outcomes.map((o) => o.attempted),
      outcomes.map((o) => o.nextAttemptAt),
      outcomes.map((o) => o.statusCode),
      outcomes.map((o) => o.error),
      outcomes.map((o) => o.parkReason),
      attempts.map((a) => a.deliveryId),
      attempts.map((a) => a.attempt),
      attempts.map((a) => a.url),
      attempts.map((a) => JSON.stringify(storedRequestHeaders(a.deliveryId, a.requestHeaders))),
      attempts.map((a) => a.requestBody),
      attempts.map((a) => a.responseStatus),
      attempts.map((a) => (a.responseHeaders ? JSON.stringify(storedResponseHeaders(a.responseHeaders)) : null)),
      attempts.map((a) => a.responseBody),
      attempts.map((a) => a.durationMs),
      attempts.map((a) => a.outcome),
      attempts.map((a) => a.errorClass),
      attempts.map((a) => a.error),
    ],
  );
  return rows.map((r) => ({ ...toSettled(r), endpointFailing: r.endpoint_failing, ordered: r.ordered }));
}

/** Retention: the attempts of finished deliveries, at most `limit` rows a statement. */
export async function deleteAttemptsOf(db: Queryable, deliveryIds: string[], limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `delete from delivery_attempts where id in (select id from delivery_attempts where delivery_id = any($1::text[]) limit $2)`,
    [deliveryIds, limit],
  );
  return rowCount ?? 0;
}

/** Retention: finished deliveries only (a delivery in flight keeps its story, whatever its age). */
export async function deleteFinishedDeliveries(db: Queryable, ids: string[]): Promise<number> {
  const { rowCount } = await db.query(`delete from deliveries where id = any($1::text[]) and status not in ('pending', 'sending')`, [ids]);
  return rowCount ?? 0;
}

/**
 * Failed or paused deliveries of the endpoint created since `since`, oldest first, at most
 * `limit`: due again with a fresh retry schedule, each at `dueAt + i × spacingMs` (behind live
 * traffic, which is due at once, and spread rather than a burst). Same ids, so the same webhook-id.
 */
/** Due `ms` from now, one every `spacingMs`. */
export interface BehindLive {
  ms: number;
  spacingMs: number;
}

export async function requeueBehindLive(tx: Queryable, endpointId: string, since: string, limit: number, defer: BehindLive): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(
    `with locked as (
       select id, created_at, seq from deliveries
        where endpoint_id = $1 and status in ('failed', 'paused') and created_at >= $2
        order by created_at, seq limit $3
        for update
     ), picked as (
       select id, row_number() over (order by created_at, seq) - 1 as n from locked
     )
     update deliveries d set status = 'pending', retry_from = d.attempt_count, lease_token = null, lease_until = null, updated_at = now(),
            next_attempt_at = now() + make_interval(secs => ($4 + picked.n * $5) / 1000.0)
       from picked where d.id = picked.id
     returning d.id`,
    [endpointId, since, limit, defer.ms, defer.spacingMs],
  );
  return rows.map((r) => r.id);
}

/** New deliveries of missed events, due behind live traffic, spread (see requeueBehindLive). */
export async function deferBehindLive(tx: Queryable, ids: string[], defer: BehindLive, offset: number): Promise<void> {
  await tx.query(
    `update deliveries d set next_attempt_at = now() + make_interval(secs => ($2 + ($3 + t.n - 1) * $4) / 1000.0)
       from unnest($1::text[]) with ordinality as t(id, n) where d.id = t.id and d.status = 'pending'`,
    [ids, defer.ms, offset, defer.spacingMs],
  );
}
