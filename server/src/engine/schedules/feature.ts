import type { AppContext } from '../../context.ts';
import type { Feature } from '../../feature.ts';
import { startScheduler } from './scheduler.ts';

/** Schedule triggers: every worker process ticks; the database makes each due time fire once. */
export function schedulesFeature(ctx: AppContext): Feature {
  let stop: (() => Promise<void>) | undefined;
  return {
    name: 'schedules',
    async startWorkers() {
      stop = startScheduler(ctx);
    },
    async stopWorkers() {
      await stop?.();
    },
  };
}
