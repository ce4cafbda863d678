import { recordAudit } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { PoolClient } from '../db/pool.ts';
import { failStepDeliveriesOf, markEndpointDisabled, parkPending, settledSteps } from './deliveries-data.ts';
import { raiseEvent, settledStepDeliveries } from './hooks.ts';

/**
 * Disables an endpoint (once), parks what it still had queued (a workflow step's delivery
 * fails, and its run is told), raises `endpoint.disabled` and audits it, in the caller's
 * transaction. Answers whether this call disabled it.
 */
export async function disableEndpoint(tx: PoolClient, ctx: AppContext, endpointId: string, reason: string): Promise<boolean> {
  const url = await markEndpointDisabled(tx, endpointId, reason);
  if (url === undefined) return false;
  const parked = await parkPending(tx, endpointId, `the endpoint was disabled: ${reason}`);
  await settledStepDeliveries(ctx, tx, settledSteps(parked));
  await raiseEvent(ctx, tx, { type: 'endpoint.disabled', source: 'tripline', data: { endpointId, url, reason } });
  await recordAudit(tx, { label: 'tripline' }, { action: 'endpoint.disable', targetType: 'endpoint', targetId: endpointId, after: { enabled: false, reason } });
  ctx.log.warn({ endpointId, reason }, 'endpoint disabled');
  return true;
}

/** Before an endpoint is deleted: its unfinished workflow-step deliveries fail and their runs move on. */
export async function settleBeforeDelete(tx: PoolClient, ctx: AppContext, endpointId: string, reason = 'the endpoint was deleted'): Promise<void> {
  const failed = await failStepDeliveriesOf(tx, endpointId, reason);
  await settledStepDeliveries(ctx, tx, settledSteps(failed));
}
