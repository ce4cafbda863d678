import type { JobWithMetadata } from 'pg-boss';
import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { queues, type QueueKey, type QueuePayload } from '../queue/queues.ts';
import { expireCampaign, runScheduledChange } from './campaigns/activation.ts';
import { runStoreChange } from './campaigns/store-effects.ts';
import { startClaimLoop } from './outbox/claim-loop.ts';
import { executeRunJob, giveUp } from './runs/state-machine.ts';
import { checkCartAbandoned } from './state/carts.ts';
import { sweepLifecycle } from './state/lifecycle-sweep.ts';

/**
 * Registers a handler for a queue: payloads are parsed with the queue's schema, each job
 * in a batch is settled on its own (one bad job does not retry its neighbours), and the
 * worker fetches again as soon as it is woken by NOTIFY.
 */
export async function work<K extends QueueKey>(
  app: AppContext,
  key: K,
  handle: (payload: QueuePayload<K>, job: JobWithMetadata<unknown>) => Promise<void>,
  options: { batchSize?: number; localConcurrency?: number } = {},
): Promise<void> {
  const queue = queues[key];
  await app.boss.work(
    queue.name,
    {
      batchSize: options.batchSize ?? 8,
      localConcurrency: options.localConcurrency ?? 4,
      pollingIntervalSeconds: 0.5,
      notifyPollingIntervalSeconds: 5,
      burstWhenBatchFull: true,
      includeMetadata: true,
      perJobResults: true,
    },
    async (jobs: JobWithMetadata<unknown>[]) =>
      Promise.all(
        jobs.map(async (job) => {
          try {
            await handle(queue.payload.parse(job.data) as QueuePayload<K>, job);
            return { id: job.id, status: 'completed' as const };
          } catch (error) {
            app.log.warn({ err: error, queue: queue.name, jobId: job.id, retry: job.retryCount }, 'job failed');
            return { id: job.id, status: 'failed' as const, output: { message: (error as Error).message } };
          }
        }),
      ),
  );
}

export async function startEngineWorkers(app: AppContext): Promise<void> {
  // Events are claimed from the events table (the outbox), not from a job per event.
  await startClaimLoop(app);
  await work(
    app,
    'executeRun',
    async ({ runId }, job) => {
      try {
        await executeRunJob(app, runId);
      } catch (error) {
        // Out of retries: the run fails through the state machine (run.failed is emitted).
        if (job.retryCount >= job.retryLimit) {
          await giveUp(app, runId, `gave up after ${job.retryCount + 1} attempts: ${(error as Error).message}`);
          return;
        }
        throw error;
      }
    },
    { batchSize: 16, localConcurrency: 4 },
  );
  await work(app, 'checkCartAbandoned', ({ cartId, version }) =>
    withTransaction(app.pool, (tx) => checkCartAbandoned(tx, cartId, version)).then(() => undefined),
  );
  await work(app, 'expireCampaign', ({ campaignId, activationId }) =>
    withTransaction(app.pool, (tx) => expireCampaign(tx, app.boss, campaignId, activationId)).then(() => undefined),
  );
  await work(app, 'campaignStoreChange', ({ changeId }) => runStoreChange(app, changeId), { batchSize: 4, localConcurrency: 2 });
  await work(app, 'campaignSchedule', ({ campaignId, action, at }) =>
    withTransaction(app.pool, (tx) => runScheduledChange(tx, app.boss, campaignId, action, at)).then(() => undefined),
  );
  await work(app, 'lifecycleSweep', async () => void (await sweepLifecycle(app.pool)), { batchSize: 1, localConcurrency: 1 });
  // Time-based stages move on schedule, not only on a customer's next event.
  await app.boss.schedule(queues.lifecycleSweep.name, '*/10 * * * *', {}, { key: 'lifecycle' });
}
