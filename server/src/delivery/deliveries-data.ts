import type { Pool, PoolClient } from '../db/pool.ts';
import { DELIVERY_COLUMNS, type DeliveryRow } from './endpoints-store.ts';
import type { SettledStepDelivery } from './hooks.ts';
import { deliveryPayloadSql } from './lean-storage.ts';
import type { StoredEndpointAuth as StoredAuth } from '@tripline/shared';

/**
 * Every statement on the deliveries queue (migration 0009), by name: the deliveries table
 * is its own queue. A delivery is due when `pending` and `next_attempt_at <= now()`; a
 * claim marks a batch `sending` under a lease token; only that token may record the
 * outcome (outcomes-data.ts). Callers decide; nothing here decides retry policy.
 */

type Db = Pick<PoolClient, 'query'>;

/** The channel the claim loops LISTEN on: one notification per transaction that made work due. */
export const DUE_CHANNEL = 'tripline_deliveries';

/** One NOTIFY per transaction (PostgreSQL folds identical ones and sends them at commit). */
export async function notifyDue(tx: Db): Promise<void> {
  await tx.query(`select pg_notify('${DUE_CHANNEL}', '')`);
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
export async function claimDue(pool: Pool, opts: { limit: number; leaseSeconds: number; token: string; failureWindowSeconds: number }): Promise<ClaimedDelivery[]> {
  const { rows } = await pool.query<ClaimedDelivery>(
    `with due as (
       select id from deliveries
        where status = 'pending' and next_attempt_at <= now()
        order by next_attempt_at
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
export async function renewLeases(pool: Pool, held: { id: string; token: string }[], leaseSeconds: number): Promise<void> {
  if (held.length === 0) return;
  await pool.query(
    `update deliveries d set lease_until = now() + make_interval(secs => $3)
       from (select x.id from deliveries x join unnest($1::text[], $2::text[]) as t(id, token) on x.id = t.id and x.lease_token = t.token
              where x.status = 'sending' for update of x skip locked) held
      where d.id = held.id`,
    [held.map((h) => h.id), held.map((h) => h.token), leaseSeconds],
  );
}

/** A `sending` delivery whose lease expired was held by a worker that died: due again, same webhook-id. */
export async function reclaimExpiredLeases(pool: Pool, limit = 500): Promise<number> {
  const { rowCount } = await pool.query(
    `update deliveries d set status = 'pending', next_attempt_at = now(), lease_token = null, lease_until = null, updated_at = now()
       from (select id from deliveries where status = 'sending' and lease_until < now() order by lease_until limit $1 for update skip locked) x
      where d.id = x.id`,
    [limit],
  );
  return rowCount ?? 0;
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

/** Disables an endpoint once; answers its URL, or undefined if it was already disabled. */
export async function markEndpointDisabled(tx: Db, endpointId: string, reason: string): Promise<string | undefined> {
  const { rows } = await tx.query<{ url: string }>(
    `update endpoints set enabled = false, disabled_reason = $2, disabled_at = now(), updated_at = now()
      where id = $1 and enabled returning url`,
    [endpointId, reason],
  );
  return rows[0]?.url;
}

/** An endpoint's queued deliveries wait while it is disabled; a workflow step's cannot wait and fails. */
export async function parkPending(tx: Db, endpointId: string, reason: string): Promise<SettledRow[]> {
  const { rows } = await tx.query<OutcomeRow>(
    `update deliveries set status = case when run_id is null then 'paused' else 'failed' end,
            next_attempt_at = null, updated_at = now(), last_error = coalesce(last_error, $2)
      where endpoint_id = $1 and status = 'pending'
      returning id, endpoint_id, run_id, node_id, status, attempt_count, last_status_code, last_error`,
    [endpointId, reason],
  );
  return rows.map(toSettled);
}

/** Before an endpoint is deleted, its unfinished workflow-step deliveries fail, so their runs move on. */
export async function failStepDeliveriesOf(tx: Db, endpointId: string, reason: string): Promise<SettledRow[]> {
  const { rows } = await tx.query<OutcomeRow>(
    `update deliveries set status = 'failed', next_attempt_at = null, lease_token = null, lease_until = null, updated_at = now(), last_error = $2
      where endpoint_id = $1 and run_id is not null and status in ('pending', 'sending')
      returning id, endpoint_id, run_id, node_id, status, attempt_count, last_status_code, last_error`,
    [endpointId, reason],
  );
  return rows.map(toSettled);
}

/** Due again with the whole retry schedule (replay, recover, enable): same id, so the same webhook-id. */
const REQUEUE = `status = 'pending', retry_from = attempt_count, next_attempt_at = now(), lease_token = null, lease_until = null, updated_at = now()`;

export async function requeueDelivery(tx: Db, id: string): Promise<DeliveryRow | undefined> {
  const { rows } = await tx.query<DeliveryRow>(`update deliveries set ${REQUEUE} where id = $1 returning ${DELIVERY_COLUMNS}`, [id]);
  if (rows[0]) await notifyDue(tx);
  return rows[0];
}

export async function requeueFailedSince(tx: Db, endpointId: string, since: string): Promise<number> {
  const { rowCount } = await tx.query(
    `update deliveries set ${REQUEUE} where endpoint_id = $1 and status in ('failed', 'paused') and created_at >= $2`,
    [endpointId, since],
  );
  if (rowCount) await notifyDue(tx);
  return rowCount ?? 0;
}

export async function requeuePaused(tx: Db, endpointId: string): Promise<number> {
  const { rowCount } = await tx.query(`update deliveries set ${REQUEUE} where endpoint_id = $1 and status = 'paused'`, [endpointId]);
  if (rowCount) await notifyDue(tx);
  return rowCount ?? 0;
}

/**
 * Backstop: a pending delivery is due by definition, so only one whose next attempt was
 * lost (no next_attempt_at, e.g. written by an older version) or a sending one whose lease
 * is gone or was never set needs a nudge.
 */
export async function requeueStranded(tx: Db, overdueMinutes: number, limit: number): Promise<number> {
  const { rowCount } = await tx.query(
    `update deliveries d set status = 'pending', next_attempt_at = now(), lease_token = null, lease_until = null, updated_at = now()
       from (select id from deliveries
              where (status = 'pending' and next_attempt_at is null)
                 or (status = 'sending' and coalesce(lease_until, updated_at) < now() - make_interval(mins => $1))
              order by seq limit $2 for update skip locked) x
      where d.id = x.id`,
    [overdueMinutes, limit],
  );
  if (rowCount) await notifyDue(tx);
  return rowCount ?? 0;
}

/** A delivery's attempts, each with its full request body (rebuilt from the payload when not stored). */
export async function attemptsOf<T extends { request_body: string | null }>(db: Db, deliveryId: string): Promise<T[]> {
  const { rows } = await db.query<T>(
    `select delivery_id, attempt, url, request_headers, request_body, response_status, response_headers, response_body, duration_ms, outcome, error_class, error, created_at
       from delivery_attempts where delivery_id = $1 order by id`,
    [deliveryId],
  );
  return rows;
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

export function toSettled(r: OutcomeRow): SettledRow {
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

/** The rows a workflow is waiting on: run-owned deliveries that succeeded or failed for good. */
export function settledSteps(rows: SettledRow[]): SettledStepDelivery[] {
  return rows
    .filter((r) => r.runId !== null && r.nodeId !== null && (r.status === 'succeeded' || r.status === 'failed'))
    .map((r) => ({ deliveryId: r.deliveryId, runId: r.runId!, nodeId: r.nodeId!, status: r.status as 'succeeded' | 'failed', attempts: r.attempts, statusCode: r.statusCode, error: r.error }));
}
