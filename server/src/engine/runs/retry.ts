import type { PoolClient } from '../../db/pool.ts';
import { stepRedelivered } from '../../delivery/state-machine.ts';

/**
 * Retrying a failed webhook step sends its delivery again (same webhook-id, so receivers
 * can dedupe, and a fresh retry schedule) rather than creating a second one; the step
 * waits for it as before. The delivery state machine makes it due. Returns false when the
 * failed step was not a delivery: the run then simply re-executes the step.
 */
export function retryStepDelivery(tx: PoolClient, runId: string, nodeId: string, iteration?: number): Promise<boolean> {
  return stepRedelivered(tx, runId, nodeId, iteration);
}
