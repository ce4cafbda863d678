import type { AppContext } from '../context.ts';
import type { Feature } from '../feature.ts';
import { campaignsRouter } from './campaigns/routes.ts';
import { customersRouter } from './customers/routes.ts';
import { provideDeliveryPorts } from './delivery-hooks.ts';
import { explainRouter } from './explain/routes.ts';
import { eventsRouter, ingestRouter } from './ingest/routes.ts';
import { runsRouter } from './runs/routes.ts';
import { startEngineWorkers } from './workers.ts';
import { workflowsRouter } from './workflows/routes.ts';

/** The event engine: ingestion, state and derived events, workflows, runs, campaigns. */
export function engineFeature(app: AppContext): Feature {
  provideDeliveryPorts(app);
  return {
    name: 'engine',
    hotRouters: [ingestRouter(app)],
    apiRouters: [eventsRouter(app), workflowsRouter(app), runsRouter(app), campaignsRouter(app), explainRouter(app), customersRouter(app)],
    startWorkers: () => startEngineWorkers(app),
  };
}
