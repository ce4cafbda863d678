import type { AppContext } from '../context.ts';
import { onStepDeliveriesSettled } from '../delivery/hooks.ts';
import type { Feature } from '../features.ts';
import { campaignsRouter } from './campaigns/routes.ts';
import { seedDemo } from './demo.ts';
import { ingestRouter } from './ingest/routes.ts';
import { resumeSettledRuns } from './runs/on-delivery-settled.ts';
import { runsRouter } from './runs/routes.ts';
import { startEngineWorkers } from './workers.ts';
import { workflowsRouter } from './workflows/routes.ts';

/** The event engine: ingestion, state and derived events, workflows, runs, campaigns. */
export function engineFeature(app: AppContext): Feature {
  // Every process, API included (replay, recover and endpoint deletion settle deliveries
  // there): when a webhook step's delivery settles, its run resumes.
  onStepDeliveriesSettled(app, (tx, settled) => resumeSettledRuns(app, tx, settled.map((s) => s.runId)));
  return {
    name: 'engine',
    apiRouters: [ingestRouter(app), workflowsRouter(app), runsRouter(app), campaignsRouter(app)],
    startWorkers: () => startEngineWorkers(app),
    seed: async () => {
      if (app.config.demoData) await seedDemo(app);
    },
  };
}
