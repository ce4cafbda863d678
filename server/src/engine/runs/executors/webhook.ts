import { deliveryOutcome } from '../../../db/delivery-reads.ts';
import { endpointEnabled, findEndpoint } from '../../../db/endpoints.ts';
import { webhookPayload } from '../../../delivery/fan-out.ts';
import type { Executor } from '../types.ts';

/**
 * Asks for the step's delivery and waits: the delivery is created with the batch's other
 * writes, and the run resumes when it succeeds (continue) or fails for good after its
 * retries (the step fails).
 */
export const webhook: Executor<'webhook'> = async (config, step) => {
  const vars = step.scope.vars as Record<string, unknown>;
  // Inside a for_each the receiver gets the item and its index too.
  const loop = step.iteration >= 0 ? { item: step.scope.item, index: step.iteration } : undefined;
  const { mode } = step;
  if (mode.kind === 'dry') {
    const endpoint = await findEndpoint(step.app.pool, config.endpointId);
    if (!endpoint) return { kind: 'fail', error: `endpoint "${config.endpointId}" does not exist` };
    return { kind: 'next', output: { dryRun: true, wouldDeliverTo: endpoint.url, enabled: endpoint.enabled, payload: webhookPayload(step.event, vars, loop) } };
  }
  if (step.resumed) {
    const deliveryId = (step.resumed.output as { deliveryId: string }).deliveryId;
    // Primed by the delivery's settled hook for a batch of resumed runs; read here otherwise.
    const d = await mode.writes.cached(`delivery:${deliveryId}`, () => deliveryOutcome(mode.tx, deliveryId));
    if (!d) return { kind: 'fail', error: `delivery ${deliveryId} no longer exists` };
    const output = { deliveryId, status: d.status, attempts: d.attempt_count, statusCode: d.last_status_code };
    if (d.status === 'succeeded') return { kind: 'next', output };
    if (d.status === 'failed') return { kind: 'fail', output, error: `delivery failed after ${d.attempt_count} attempt(s): ${d.last_error ?? `HTTP ${d.last_status_code}`}` };
    return { kind: 'wait', output };
  }
  // Checked here so a missing or disabled endpoint fails the step (once per batch per endpoint).
  const enabled = await mode.writes.cached(`endpoint-enabled:${config.endpointId}`, () => endpointEnabled(mode.tx, config.endpointId));
  if (enabled === undefined) return { kind: 'fail', error: `endpoint "${config.endpointId}" does not exist` };
  if (!enabled) return { kind: 'fail', error: `endpoint "${config.endpointId}" is disabled` };
  return { kind: 'wait', output: { endpointId: config.endpointId, status: 'pending' }, deliver: { endpointId: config.endpointId, vars, ...(loop ? { loop } : {}) } };
};
