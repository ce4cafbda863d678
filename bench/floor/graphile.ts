/**
 * The bare durable floor on graphile-worker 0.18 (issue 25, item 5), the one STACK-NOTES and
 * the issue measured: one job per event (`addJob`; a batch with one `addJobs`), committed
 * before the 202 (bench/floor/serve.ts); the runner in the same process signs and POSTs each
 * job. graphile-worker wakes on its own LISTEN/NOTIFY (a trigger on job insert) and runs up
 * to FLOOR_WORKERS (default 10) jobs at once, each fetched on its own (no local queue: that
 * batching trades latency for throughput).
 */
import { makeWorkerUtils, run, Logger } from 'graphile-worker';
import { env, serveFloor, signedPost } from './serve.ts';

const receiverUrl = env('RECEIVER_URL');
const connectionString = env('DATABASE_URL');
const concurrency = Number(process.env.FLOOR_WORKERS ?? 10);
const logger = new Logger(() => (level, message) => {
  if (level === 'error' || level === 'warning') console.log(`warning ${message}`);
});
const utils = await makeWorkerUtils({ connectionString, logger });
await utils.migrate();
const runner = await run({
  connectionString,
  concurrency,
  maxPoolSize: concurrency + 2,
  noHandleSignals: true,
  pollInterval: 2000,
  logger,
  taskList: { floor: (payload, helpers) => signedPost(receiverUrl, helpers.job.id, payload) },
});
await serveFloor(
  { one: (e) => runner.addJob('floor', e), many: (es) => utils.addJobs(es.map((payload) => ({ identifier: 'floor', payload }))) },
  async () => {
    await runner.stop();
    await utils.release();
  },
);
