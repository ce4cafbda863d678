import type { PoolClient } from '../db/pool.ts';
import { toSettled, type OutcomeRow, type SettledRow } from './deliveries-data.ts';
import { storedRequestHeaders, storedResponseHeaders } from './lean-storage.ts';

/**
 * The statements of the delivery worker's outcome write: what a batch of claimed
 * deliveries came to, the attempts behind it, and the endpoint state it changes. The
 * write runs once per batch on the hot path, so it is as few round trips as it can be:
 * outcomes and attempts go in one statement.
 */

type Db = Pick<PoolClient, 'query'>;

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
}

/**
 * Writes the outcomes of a batch and the attempts behind them in one statement. A delivery
 * whose lease this claim no longer holds (reclaimed after its lease expired) is left
 * alone, gets no attempt row and is not returned. A delivery due for a retry whose
 * endpoint was disabled meanwhile is parked instead.
 */
export async function recordOutcomesAndAttempts(tx: Db, unordered: Outcome[], attempts: AttemptRecord[]): Promise<RecordedRow[]> {
  if (unordered.length === 0) return [];
  // Rows are locked in id order (the update walks the sorted input), as by every other batch.
  const outcomes = [...unordered].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const { rows } = await tx.query<OutcomeRow & { endpoint_failing: boolean }>(
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
        returning d.id, d.endpoint_id, d.run_id, d.node_id, d.status, d.attempt_count, d.last_status_code, d.last_error, x.endpoint_failing
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
  return rows.map((r) => ({ ...toSettled(r), endpointFailing: r.endpoint_failing }));
}

/** Endpoint rows change only when their state does: an endpoint that answered is no longer failing; one that failed starts failing. */
export async function updateFailingSince(tx: Db, answered: string[], failed: string[]): Promise<void> {
  if (answered.length) await tx.query(`update endpoints set failing_since = null where id = any($1::text[]) and failing_since is not null`, [answered]);
  if (failed.length) await tx.query(`update endpoints set failing_since = now() where id = any($1::text[]) and failing_since is null`, [failed]);
}

export async function releaseSlots(tx: Db, deliveryIds: string[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await tx.query(`update endpoint_slots set released_at = clock_timestamp() where delivery_id = any($1::text[]) and released_at is null`, [deliveryIds]);
}
