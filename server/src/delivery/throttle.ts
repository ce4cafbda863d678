import type { PoolClient } from '../db/pool.ts';

/**
 * Per-endpoint rate limit and concurrency cap that hold across every worker process: the
 * state is rows in `endpoint_slots`, read and written under a lock on the endpoint's row,
 * so two processes never both take the last slot. An endpoint at its limit does not hold a
 * worker: the caller reschedules the job a little later and moves on to other endpoints.
 */
export interface SlotRequest {
  endpointId: string;
  deliveryId: string;
  ratePerSecond: number | null;
  maxConcurrency: number | null;
  /** A slot whose worker died is freed after this long. */
  ttlMs: number;
}

export type SlotResult = { ok: true } | { ok: false; retryInMs: number };

export async function acquireSlot(tx: PoolClient, req: SlotRequest): Promise<SlotResult> {
  await tx.query('select 1 from endpoints where id = $1 for update', [req.endpointId]);
  await tx.query(
    `delete from endpoint_slots
      where endpoint_id = $1 and started_at < clock_timestamp() - interval '1 second'
        and (released_at is not null or expires_at < clock_timestamp())`,
    [req.endpointId],
  );
  const { rows } = await tx.query<{ in_flight: number; recent: number; rate_wait_ms: number | null }>(
    `select count(*) filter (where released_at is null and expires_at > clock_timestamp())::int as in_flight,
            count(*) filter (where started_at > clock_timestamp() - interval '1 second')::int as recent,
            (extract(epoch from min(started_at) filter (where started_at > clock_timestamp() - interval '1 second')
               + interval '1 second' - clock_timestamp()) * 1000)::float8 as rate_wait_ms
       from endpoint_slots where endpoint_id = $1`,
    [req.endpointId],
  );
  const s = rows[0]!;
  if (req.maxConcurrency !== null && s.in_flight >= req.maxConcurrency) {
    return { ok: false, retryInMs: 100 + Math.round(Math.random() * 400) };
  }
  if (req.ratePerSecond !== null && s.recent >= req.ratePerSecond) {
    return { ok: false, retryInMs: Math.max(0, Math.round(s.rate_wait_ms ?? 0)) + Math.round(Math.random() * 250) };
  }
  await tx.query(
    `insert into endpoint_slots (endpoint_id, delivery_id, expires_at)
     values ($1, $2, clock_timestamp() + make_interval(secs => $3))`,
    [req.endpointId, req.deliveryId, req.ttlMs / 1000],
  );
  return { ok: true };
}
