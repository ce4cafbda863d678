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
 * a batch of jobs and fetches again at once while batches come back full, and a few workers
 * fetch side by side so a slow POST does not hold the rest.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PgBoss } from 'pg-boss';
import { Webhook } from 'standardwebhooks';
import { post } from './load.ts';

export interface Floor {
  /** Where events are POSTed: one event object, or an array of them. */
  url: string;
  /** pg-boss's warnings while it ran (a floor that fell back to polling says so here). */
  warnings: string[];
  stop(): Promise<void>;
}

const QUEUE = 'floor';

export async function startPgBossFloor(dbUrl: string, receiverUrl: string): Promise<Floor> {
  const boss = new PgBoss({ connectionString: dbUrl, max: 12, useListenNotify: true });
  const warnings: string[] = [];
  boss.on('error', () => {});
  // A floor that silently fell back to polling would not be a floor: say so in the result.
  boss.on('warning', (w: { message: string }) => void (warnings.length < 5 && warnings.push(w.message)));
  await boss.start();
  await boss.createQueue(QUEUE, { notify: true });
  const signer = new Webhook(`whsec_${Buffer.from('bench-floor-secret-0123456789abcdef').toString('base64')}`);
  await boss.work<Record<string, unknown>>(
    QUEUE,
    { batchSize: 50, burstWhenBatchFull: true, localConcurrency: 4, pollingIntervalSeconds: 0.5 },
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
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    warnings,
    async stop() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await boss.stop({ graceful: false, close: true }).catch(() => {});
    },
  };
}
