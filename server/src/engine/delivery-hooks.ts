import type { AppContext } from '../context.ts';
import { resumeSettledRuns } from './runs/on-delivery-settled.ts';
import { emitEvent } from './store-events.ts';

/**
 * The engine's side of the delivery ports (bus.ts; delivery imports nothing from the
 * engine), wired in every process, API included (replay, recover and endpoint deletion
 * settle deliveries there): a settled webhook step resumes its run in the delivery's
 * transaction, batched, and events delivery raises (endpoint.disabled) go to the engine's
 * event store.
 */
export function provideDeliveryPorts(app: AppContext): void {
  app.bus.provide('stepDeliveriesSettled', (tx, settled, mode) => resumeSettledRuns(app, tx, settled.map((s) => s.runId), settled, mode));
  app.bus.provide('raiseEvent', async (tx, event) => {
    await emitEvent(tx, event);
  });
}
