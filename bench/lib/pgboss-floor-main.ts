/**
 * The bare durable floor (issue 25, item 5): what a competent engineer builds with pg-boss
 * when all they need is "every accepted event becomes one signed POST, and none is lost".
 * An HTTP endpoint commits one job per event (a single event with `send`, a batch with one
 * multi-row `insert`) and answers 202 after the commit; workers in the same process sign and
 * POST each job. Nothing else is recorded: no runs, no steps, no attempts, no state.
 *
 * What makes it a floor and not a strawman (pg-boss 12 defaults are slow on purpose, see
 * STACK-NOTES): LISTEN/NOTIFY wakes the workers the moment a job commits (`useListenNotify`
 * on the instance, `notify` on the queue; polling is only the backstop), a fetch takes up to
 * a batch of jobs and fetches again at once while batches come back full, and two workers
 * fetch side by side so one batch's POSTs overlap the next fetch (each NOTIFY wakes every
 * idle worker of the queue, so more workers mostly add empty fetches; FLOOR_WORKERS to try).
 * It runs as its own process (bench/lib/pgboss-floor.ts starts it), as Tripline and Node-RED
 * do, so it does not share a thread with the load generator and the receiver.
 *
 * Env: DATABASE_URL, RECEIVER_URL, PORT, FLOOR_WORKERS, FLOOR_BATCH. Prints `ready` once it
 * listens, and each pg-boss warning as a line `warning <message>`.
 */
import http from 'node:http';
import { PgBoss } from 'pg-boss';
import { Webhook } from 'standardwebhooks';
import { post } from './load.ts';

const QUEUE = 'floor';
const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};

async function main() {
  const receiverUrl = env('RECEIVER_URL');
  const boss = new PgBoss({ connectionString: env('DATABASE_URL'), max: 12, useListenNotify: true });
  boss.on('error', (e: Error) => console.error(`error ${e.message}`));
  // A floor that silently fell back to polling would not be a floor: the bench reports these.
  boss.on('warning', (w: { message: string }) => console.log(`warning ${w.message}`));
  await boss.start();
  await boss.createQueue(QUEUE, { notify: true });
  const signer = new Webhook(`whsec_${Buffer.from('bench-floor-secret-0123456789abcdef').toString('base64')}`);
  await boss.work<Record<string, unknown>>(
    QUEUE,
    { batchSize: Number(process.env.FLOOR_BATCH ?? 50), burstWhenBatchFull: true, localConcurrency: Number(process.env.FLOOR_WORKERS ?? 2), pollingIntervalSeconds: 0.5 },
    async (jobs) => {
      await Promise.all(
        jobs.map(async (job) => {
          const body = JSON.stringify(job.data);
          const ts = new Date();
          const id = `msg_${job.id.replaceAll('-', '')}`;
          const res = await post(receiverUrl, body, { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)), 'webhook-signature': signer.sign(id, ts, body) });
          // A receiver's error fails the job, so pg-boss retries it: the floor is durable end to end.
          if (res.status >= 300) throw new Error(`receiver answered ${res.status}`);
        }),
      );
    },
  );
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400).end('not JSON');
        return;
      }
      const timestamp = new Date().toISOString();
      const stored = Array.isArray(parsed)
        ? boss.insert(QUEUE, parsed.map((e: object) => ({ data: { ...e, timestamp } })))
        : boss.send(QUEUE, { ...(parsed as object), timestamp });
      stored.then(
        () => void res.writeHead(202).end(),
        () => void res.writeHead(500).end(),
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(Number(env('PORT')), '127.0.0.1', r));
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    boss.stop({ graceful: false, close: true }).finally(() => process.exit(0));
  });
  console.log('ready');
}

await main();
