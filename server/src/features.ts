import type { Router } from 'express';
import { accountsFeature } from './accounts/feature.ts';
import type { Authenticator } from './auth/middleware.ts';
import { consoleFeature } from './console/feature.ts';
import { credentialsFeature } from './credentials/feature.ts';
import type { AppContext } from './context.ts';
import { deliveryFeature } from './delivery/feature.ts';
import { demoFeature } from './demo/feature.ts';
import { engineFeature } from './engine/feature.ts';
import { notifyFeature } from './notify/feature.ts';
import { schedulesFeature } from './engine/schedules/feature.ts';
import { portalFeature } from './portal/feature.ts';
import { sourcesFeature } from './sources/feature.ts';
import { sourceSyncFeature } from './sources/sync-feature.ts';

/** One area of the product plugs into the process through this shape. */
export interface Feature {
  name: string;
  apiRouters?: Router[];
  /** API routers on the hot path (event ingest): see AppParts.hotRouters. */
  hotRouters?: Router[];
  publicRouters?: Router[];
  /** Routers mounted at the server root, outside /api/v1 (e.g. /metrics). */
  rootRouters?: Router[];
  authenticators?: Authenticator[];
  startWorkers?: () => Promise<void>;
  /** Drains what startWorkers started; called at shutdown before the queue and the pool close. */
  stopWorkers?: () => Promise<void>;
  seed?: () => Promise<void>;
}

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
