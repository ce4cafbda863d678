import type { AppContext } from '../context.ts';
import { work } from '../engine/workers.ts';
import type { Feature } from '../features.ts';
import { notifyRouter } from './routes.ts';
import { handleNotifySend } from './worker.ts';

/** Email and Slack: the SMTP settings, the durable sending of steps' and alerts' messages. */
export function notifyFeature(ctx: AppContext): Feature {
  return {
    name: 'notify',
    apiRouters: [notifyRouter(ctx)],
    async startWorkers() {
      await work(ctx, 'notifySend', ({ notificationId }) => handleNotifySend(ctx, notificationId), { batchSize: 4, localConcurrency: 4 });
    },
  };
}
