/**
 * The bare durable floor on pg-boss 12 (issue 25, item 5): what a competent engineer builds
 * with pg-boss when all they need is "every accepted event becomes one signed POST, and none
 * is lost". One job per event (`send`; a batch with one multi-row `insert`), committed before
 * the 202 (bench/floor/serve.ts); workers in the same process sign and POST each job.
 *
 * What makes it a floor and not a strawman (pg-boss 12 defaults are slow on purpose, see
 * STACK-NOTES): LISTEN/NOTIFY wakes the workers the moment a job commits (`useListenNotify`
 * on the instance, `notify` on the queue; polling is only the backstop), a fetch takes up to
 * a batch of jobs and fetches again at once while batches come back full, and two workers
 * fetch side by side so one batch's POSTs overlap the next fetch (each NOTIFY wakes every
 * idle worker of the queue, so more workers mostly add empty fetches; FLOOR_WORKERS and
 * FLOOR_BATCH to try others).
 */
import { PgBoss } from 'pg-boss';
import { env, serveFloor, signedPost } from './serve.ts';

const QUEUE = 'floor';
const receiverUrl = env('RECEIVER_URL');
const boss = new PgBoss({ connectionString: env('DATABASE_URL'), max: 12, useListenNotify: true });
boss.on('error', (e: Error) => console.error(`error ${e.message}`));
// A floor that silently fell back to polling would not be a floor: the bench reports these.
boss.on('warning', (w: { message: string }) => console.log(`warning ${w.message}`));
await boss.start();
await boss.createQueue(QUEUE, { notify: true });
await boss.work<Record<string, unknown>>(
  QUEUE,
  { batchSize: Number(process.env.FLOOR_BATCH ?? 50), burstWhenBatchFull: true, localConcurrency: Number(process.env.FLOOR_WORKERS ?? 2), pollingIntervalSeconds: 0.5 },
  (jobs) => Promise.all(jobs.map((job) => signedPost(receiverUrl, job.id, job.data))),
);
await serveFloor(
  { one: (e) => boss.send(QUEUE, e), many: (es) => boss.insert(QUEUE, es.map((data) => ({ data }))) },
  () => boss.stop({ graceful: false, close: true }),
);
