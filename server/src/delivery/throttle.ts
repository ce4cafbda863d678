import type { PoolClient } from '../db/pool.ts';

/**
 * Per-endpoint rate limit and concurrency cap that hold across every worker process: the
 * state is rows in `endpoint_slots`, read and written under a lock on the endpoint's row,
 * so two processes never both take the last slot. An endpoint at its limit does not hold a
 * worker: the deliveries it could not take are rescheduled a little later and the worker
 * moves on to other endpoints. Endpoints without limits never come here.
 */
export interface SlotRequest {
  endpointId: string;
  /** The claimed deliveries of this endpoint, in the order they should go. */
  deliveryIds: string[];
  ratePerSecond: number | null;
  maxConcurrency: number | null;
  /** A slot whose worker died is freed after this long. */
  ttlMs: number;
}

export interface SlotResult {
  granted: string[];
  /** Deliveries over the limit, with how long to wait before trying again. */
  refused: { deliveryId: string; retryInMs: number }[];
}

/** Takes as many slots as the limits allow for a batch of one endpoint's deliveries: four statements whatever the batch. */
export async function acquireSlots(tx: PoolClient, req: SlotRequest): Promise<SlotResult> {
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
  let room = req.deliveryIds.length;
  if (req.maxConcurrency !== null) room = Math.min(room, Math.max(0, req.maxConcurrency - s.in_flight));
  if (req.ratePerSecond !== null) room = Math.min(room, Math.max(0, req.ratePerSecond - s.recent));
  const granted = req.deliveryIds.slice(0, room);
  const concurrencyFull = req.maxConcurrency !== null && s.in_flight + granted.length >= req.maxConcurrency;
  const rateWait = Math.max(0, Math.round(s.rate_wait_ms ?? 1000));
  const refused = req.deliveryIds.slice(room).map((deliveryId) => ({
    deliveryId,
    retryInMs: concurrencyFull ? 100 + Math.round(Math.random() * 400) : rateWait + Math.round(Math.random() * 250),
  }));
  if (granted.length) {
    await tx.query(
      `insert into endpoint_slots (endpoint_id, delivery_id, expires_at)
       select $1, d, clock_timestamp() + make_interval(secs => $3) from unnest($2::text[]) as d`,
      [req.endpointId, granted, req.ttlMs / 1000],
    );
  }
  return { granted, refused };
}
