import type { AppContext } from '../context.ts';
import type { Feature } from '../feature.ts';
import { ingestRouter, sourcesRouter } from './routes.ts';

/** Inbound store webhooks (WooCommerce and other sources): their settings API and the public receiving route. */
export function sourcesFeature(ctx: AppContext): Feature {
  return {
    name: 'sources',
    apiRouters: [sourcesRouter(ctx)],
    publicRouters: [ingestRouter(ctx)],
  };
}
