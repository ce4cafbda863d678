import type { AppContext } from '../context.ts';
import type { Feature } from '../feature.ts';
import { seedDemo } from './seed.ts';

/**
 * Demo data (TRIPLINE_DEMO_DATA): campaigns, a test inbox, workflows and events, seeded last
 * through the public operations of the console (createInbox) and the engine (storeEvents),
 * so neither reaches into the other.
 */
export function demoFeature(ctx: AppContext): Feature {
  return {
    name: 'demo',
    seed: async () => {
      if (ctx.config.demoData) await seedDemo(ctx);
    },
  };
}
