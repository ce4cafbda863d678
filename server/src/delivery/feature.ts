import type { AppContext } from '../context.ts';
import type { Feature } from '../feature.ts';
import { sealClearHeaders } from './endpoints-store.ts';
import { endpointsRouter } from './routes/index.ts';
import { startSweeper } from './sweeper.ts';
import { startDeliveryWorkers, type DeliveryWorker } from './worker.ts';

/** Outbound webhooks: endpoints, deliveries, the delivery worker. */
export function deliveryFeature(ctx: AppContext): Feature {
  let worker: DeliveryWorker | undefined;
  return {
    name: 'delivery',
    apiRouters: [endpointsRouter(ctx)],
    // Header values stored in clear by an older version are encrypted once, at start.
    seed: async () => void (await sealClearHeaders(ctx)),
    startWorkers: async () => {
      worker = await startDeliveryWorkers(ctx);
      startSweeper(ctx);
    },
    // Before the pool closes: sends under way finish and are recorded, nothing new is claimed.
    stopWorkers: async () => {
      await worker?.stop();
    },
  };
}
