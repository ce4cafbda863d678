import { accountsFeature } from './accounts/feature.ts';
import { consoleFeature } from './console/feature.ts';
import { credentialsFeature } from './credentials/feature.ts';
import type { AppContext } from './context.ts';
import type { Feature } from './feature.ts';
import { deliveryFeature } from './delivery/feature.ts';
import { demoFeature } from './demo/feature.ts';
import { engineFeature } from './engine/feature.ts';
import { notifyFeature } from './notify/feature.ts';
import { schedulesFeature } from './engine/schedules/feature.ts';
import { portalFeature } from './portal/feature.ts';
import { sourcesFeature } from './sources/feature.ts';
import { sourceSyncFeature } from './sources/sync-feature.ts';

// Kept for features written against the old place of the type.
export type { Feature } from './feature.ts';

type FeatureFactory = (ctx: AppContext) => Feature | Promise<Feature>;

/** The product's areas, in the order they seed and start. */
const factories: FeatureFactory[] = [accountsFeature, consoleFeature, engineFeature, deliveryFeature, sourcesFeature, portalFeature, credentialsFeature, sourceSyncFeature, notifyFeature, schedulesFeature, demoFeature];

export async function features(ctx: AppContext) {
  const list = await Promise.all(factories.map((f) => f(ctx)));
  return {
    http: {
      apiRouters: list.flatMap((f) => f.apiRouters ?? []),
      hotRouters: list.flatMap((f) => f.hotRouters ?? []),
      publicRouters: list.flatMap((f) => f.publicRouters ?? []),
      rootRouters: list.flatMap((f) => f.rootRouters ?? []),
      authenticators: list.flatMap((f) => f.authenticators ?? []),
    },
    async startWorkers() {
      for (const f of list) await f.startWorkers?.();
    },
    async stopWorkers() {
      for (const f of list) await f.stopWorkers?.();
    },
    async seed() {
      for (const f of list) await f.seed?.();
    },
  };
}
