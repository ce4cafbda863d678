import type { AppContext } from '../../context.ts';
import type { PoolClient } from '../../db/pool.ts';
import { requeueFailedStepDelivery } from '../../db/runs.ts';
import { enqueueSends } from '../../delivery/fan-out.ts';

/**
 * Retrying a failed webhook step sends its delivery again (same webhook-id, so receivers
 * can dedupe, and a fresh retry schedule) rather than creating a second one; the step
 * waits for it as before. Returns false when the failed step was not a delivery: the run
 * then simply re-executes the step.
 */
export async function retryStepDelivery(tx: PoolClient, app: AppContext, runId: string, nodeId: string): Promise<boolean> {
  const rows = await requeueFailedStepDelivery(tx, runId, nodeId);
  if (!rows[0]) return false;
  await enqueueSends(tx, app, rows);
  return true;
}
