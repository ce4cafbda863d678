import type { AppContext } from '../context.ts';
import { work } from '../engine/workers.ts';
import type { Feature } from '../feature.ts';
import { startAlertSweeper } from './alerts/sweep.ts';
import { notifyRouter } from './routes.ts';
import { handleNotifySend } from './worker.ts';

/** Email and Slack: the SMTP settings, the durable sending of steps' and alerts' messages. */
export function notifyFeature(ctx: AppContext): Feature {
  let stopAlerts: (() => Promise<void>) | undefined;
  return {
    name: 'notify',
    apiRouters: [notifyRouter(ctx)],
    async startWorkers() {
      await work(ctx, 'notifySend', ({ notificationId }) => handleNotifySend(ctx, notificationId), { batchSize: 4, localConcurrency: 4 });
      stopAlerts = startAlertSweeper(ctx);
    },
    async stopWorkers() {
      await stopAlerts?.();
    },
  };
}
