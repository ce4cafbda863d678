import type { AppContext } from '../context.ts';
import { onDeliveryEvent, onStepDeliveriesSettled } from '../delivery/hooks.ts';
import { resumeSettledRuns } from './runs/on-delivery-settled.ts';
import { emitEvent } from './store-events.ts';

/**
 * The engine's side of the delivery seam (delivery imports nothing from the engine), in
 * every process, API included (replay, recover and endpoint deletion settle deliveries
 * there): a settled webhook step resumes its run in the delivery's transaction, batched,
 * and events delivery raises (endpoint.disabled) go to the engine's event store.
 */
export function registerDeliveryHooks(app: AppContext): void {
  onStepDeliveriesSettled(app, (tx, settled, mode) => resumeSettledRuns(app, tx, settled.map((s) => s.runId), settled, mode));
  onDeliveryEvent(app, async (tx, event) => {
    await emitEvent(tx, app.boss, event);
  });
}
