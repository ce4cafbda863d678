import type { JobWithMetadata } from 'pg-boss';
import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { queues, type QueueKey, type QueuePayload } from '../queue/queues.ts';
import { expireCampaign, runScheduledChange } from './campaigns/activation.ts';
import { processEvent } from './process-event.ts';
import { executeRun } from './runs/execute.ts';
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
  await work(app, 'processEvent', async ({ eventId }) => void (await processEvent(app, eventId)), { batchSize: 16, localConcurrency: 4 });
  await work(
    app,
    'executeRun',
    async ({ runId }, job) => {
      try {
        await executeRun(app, runId);
      } catch (error) {
        // Out of retries: the run must not stay "running" forever.
        if (job.retryCount >= job.retryLimit) {
          await app.pool.query(
            `update runs set status = 'failed', error = $2, finished_at = now(), updated_at = now() where id = $1 and status in ('running', 'waiting')`,
            [runId, `gave up after ${job.retryCount + 1} attempts: ${(error as Error).message}`],
          );
          return;
        }
        throw error;
      }
    },
    { batchSize: 16, localConcurrency: 4 },
  );
  await work(app, 'checkCartAbandoned', ({ cartId, version }) =>
    withTransaction(app.pool, (tx) => checkCartAbandoned(tx, app.boss, cartId, version)).then(() => undefined),
  );
  await work(app, 'expireCampaign', ({ campaignId, activationId }) =>
    withTransaction(app.pool, (tx) => expireCampaign(tx, app.boss, campaignId, activationId)).then(() => undefined),
  );
  await work(app, 'campaignSchedule', ({ campaignId, action, at }) =>
    withTransaction(app.pool, (tx) => runScheduledChange(tx, app.boss, campaignId, action, at)).then(() => undefined),
  );
  await work(app, 'lifecycleSweep', async () => void (await sweepLifecycle(app.pool, app.boss)), { batchSize: 1, localConcurrency: 1 });
  // Time-based stages move on schedule, not only on a customer's next event.
  await app.boss.schedule(queues.lifecycleSweep.name, '*/10 * * * *', {}, { key: 'lifecycle' });
}
