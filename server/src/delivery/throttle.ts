import type { PoolClient } from '../db/pool.ts';
import { endpointSlotUsage, insertEndpointSlots, lockEndpointForSlots, pruneEndpointSlots } from '../db/endpoints.ts';

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
  await lockEndpointForSlots(tx, req.endpointId);
  await pruneEndpointSlots(tx, req.endpointId);
  const s = await endpointSlotUsage(tx, req.endpointId);
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
  if (granted.length) await insertEndpointSlots(tx, req.endpointId, granted, req.ttlMs);
  return { granted, refused };
}
