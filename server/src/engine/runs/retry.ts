import type { AppContext } from '../../context.ts';
import type { PoolClient } from '../../db/pool.ts';
import { enqueueSends } from '../../delivery/fan-out.ts';

/**
 * Retrying a failed webhook step sends its delivery again (same webhook-id, so receivers
 * can dedupe, and a fresh retry schedule) rather than creating a second one; the step
 * waits for it as before. Returns false when the failed step was not a delivery: the run
 * then simply re-executes the step.
 */
export async function retryStepDelivery(tx: PoolClient, app: AppContext, runId: string, nodeId: string): Promise<boolean> {
  const { rows } = await tx.query<{ id: string; job_id: string }>(
    `update deliveries set status = 'pending', job_id = gen_random_uuid()::text, retry_from = attempt_count,
            next_attempt_at = now(), updated_at = now()
      where run_id = $1 and node_id = $2 and status = 'failed'
        and iteration = coalesce((select (loop_state->>'index')::int from runs where id = $1), -1)
      returning id, job_id`,
    [runId, nodeId],
  );
  if (!rows[0]) return false;
  await enqueueSends(tx, app, rows);
  return true;
}
