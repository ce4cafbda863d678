import type { AppContext } from '../context.ts';
import { onDeliveryEvent, onStepDeliveriesSettled } from '../delivery/hooks.ts';
import { executeRunInline } from './runs/execute.ts';
import { emitEvent } from './store-events.ts';

/**
 * The engine's side of the delivery seam (delivery imports nothing from the engine): a
 * settled webhook step resumes its run in the delivery's transaction, and events delivery
 * raises (endpoint.disabled) go to the engine's event store.
 */
export function registerDeliveryHooks(app: AppContext): void {
  onStepDeliveriesSettled(app, async (tx, settled) => {
    for (const runId of new Set(settled.map((s) => s.runId))) await executeRunInline(app, tx, runId);
  });
  onDeliveryEvent(app, async (tx, event) => {
    await emitEvent(tx, app.boss, event);
  });
}
