import { createStepDelivery, webhookPayload } from '../../../delivery/fan-out.ts';
import type { Executor } from '../types.ts';

/**
 * Hands the event to the delivery queue and waits: the run resumes when the delivery
 * succeeds (continue) or fails for good after its retries (the step fails).
 */
export const webhook: Executor<'webhook'> = async (config, step) => {
  const vars = step.scope.vars as Record<string, unknown>;
  if (!step.tx) {
    const { rows } = await step.app.pool.query<{ url: string; enabled: boolean }>('select url, enabled from endpoints where id = $1', [config.endpointId]);
    if (!rows[0]) return { kind: 'fail', error: `endpoint "${config.endpointId}" does not exist` };
    return { kind: 'next', output: { dryRun: true, wouldDeliverTo: rows[0].url, enabled: rows[0].enabled, payload: webhookPayload(step.event, vars) } };
  }
  if (step.resumed) {
    const deliveryId = (step.resumed.output as { deliveryId: string }).deliveryId;
    const { rows } = await step.tx.query<{ status: string; attempt_count: number; last_status_code: number | null; last_error: string | null }>(
      'select status, attempt_count, last_status_code, last_error from deliveries where id = $1',
      [deliveryId],
    );
    const d = rows[0];
    if (!d) return { kind: 'fail', error: `delivery ${deliveryId} no longer exists` };
    const output = { deliveryId, status: d.status, attempts: d.attempt_count, statusCode: d.last_status_code };
    if (d.status === 'succeeded') return { kind: 'next', output };
    if (d.status === 'failed') return { kind: 'fail', output, error: `delivery failed after ${d.attempt_count} attempt(s): ${d.last_error ?? `HTTP ${d.last_status_code}`}` };
    return { kind: 'wait', output };
  }
  const created = await createStepDelivery(step.tx, step.app, {
    endpointId: config.endpointId,
    runId: step.run.id,
    nodeId: step.nodeId,
    envelope: step.event,
    vars,
  });
  if (!created.ok) return { kind: 'fail', error: created.error };
  return { kind: 'wait', output: { deliveryId: created.deliveryId, endpointId: config.endpointId, status: 'pending' } };
};
