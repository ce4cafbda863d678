import type { PoolClient } from '../db/pool.ts';

/**
 * How delivery tells whoever is interested (the engine, for a workflow's webhook step)
 * that a delivery has settled, without importing it: delivery depends on nothing above
 * it. The engine registers its handler at start-up; the delivery worker, replay, recover
 * and endpoint deletion call `settledStepDeliveries` in the transaction that settled them.
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

export type SettledHook = (tx: PoolClient, settled: SettledStepDelivery[]) => Promise<void>;

let hook: SettledHook | undefined;

export function onStepDeliveriesSettled(handler: SettledHook): void {
  hook = handler;
}

export async function settledStepDeliveries(tx: PoolClient, settled: SettledStepDelivery[]): Promise<void> {
  if (settled.length === 0 || !hook) return;
  await hook(tx, settled);
}
