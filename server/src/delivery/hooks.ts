import type { PoolClient } from '../db/pool.ts';

/**
 * How delivery tells whoever is interested (the engine, for a workflow's webhook step)
 * that a delivery has settled, without importing it: delivery depends on nothing above
 * it. The engine registers its handler at start-up; the delivery worker (batched, one call
 * per outcome write), endpoint disabling and endpoint deletion call `settledStepDeliveries`
 * in the transaction that settled them.
 */
export interface SettledStepDelivery {
  deliveryId: string;
  runId: string;
  nodeId: string;
  status: 'succeeded' | 'failed';
  attempts: number;
  statusCode: number | null;
  error: string | null;
}

/**
 * `isolated`: the hook must keep a failure of its own from failing the caller's transaction
 * (a savepoint, and a fallback). Without it the hook may simply throw, and the caller rolls
 * back and calls it again isolated (the delivery worker's optimistic write: no savepoint
 * round trips on the path that nearly always succeeds).
 */
export type SettledHook = (tx: PoolClient, settled: SettledStepDelivery[], mode: { isolated: boolean }) => Promise<void>;

/** The hook failed in a call that was not isolated: the transaction is lost; redo it with `isolated: true`. */
export class SettledHookFailed extends Error {}

// Keyed by the process's context: tests run several Tripline instances in one process.
const hooks = new WeakMap<object, SettledHook>();

export function onStepDeliveriesSettled(ctx: object, handler: SettledHook): void {
  hooks.set(ctx, handler);
}

export async function settledStepDeliveries(ctx: object, tx: PoolClient, settled: SettledStepDelivery[], { isolated = true } = {}): Promise<void> {
  const hook = hooks.get(ctx);
  if (settled.length === 0 || !hook) return;
  if (isolated) return hook(tx, settled, { isolated });
  try {
    await hook(tx, settled, { isolated });
  } catch (error) {
    throw new SettledHookFailed(`the settled hook failed: ${(error as Error).message}`, { cause: error });
  }
}

/** Whether anything (the engine) listens for settled step deliveries in this process. */
export function hasSettledHook(ctx: object): boolean {
  return hooks.has(ctx);
}

/**
 * Events delivery itself raises (`endpoint.disabled`). The event store is the engine's
 * (and how it stores events, outbox or jobs, is the engine's business), so delivery does
 * not write events: the engine registers how, and delivery calls it in its transaction.
 * A process that never registered one (no engine) raises nothing.
 */
export interface RaisedEvent {
  type: 'endpoint.disabled';
  source: 'tripline';
  data: Record<string, unknown>;
}

export type RaiseHook = (tx: PoolClient, event: RaisedEvent) => Promise<void>;

const raisers = new WeakMap<object, RaiseHook>();

export function onDeliveryEvent(ctx: object, handler: RaiseHook): void {
  raisers.set(ctx, handler);
}

export async function raiseEvent(ctx: object, tx: PoolClient, event: RaisedEvent): Promise<void> {
  await raisers.get(ctx)?.(tx, event);
}
