/**
 * What both bare durable floors share (bench/floor/pgboss.ts, bench/floor/graphile.ts): the
 * HTTP endpoint that answers 202 once the queue committed one job per event (an event
 * object, or an array of them), and the signed POST a worker sends for a job. Nothing else
 * is recorded: no runs, no steps, no attempts, no state.
 *
 * Env: DATABASE_URL, RECEIVER_URL, PORT. `ready` is printed once it listens; a floor prints
 * each warning of its queue library as a line `warning <message>`.
 */
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { post } from '../lib/load.ts';

export const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};

const signer = new Webhook(`whsec_${Buffer.from('bench-floor-secret-0123456789abcdef').toString('base64')}`);

/** Signs the job's event as Standard Webhooks does and POSTs it; a receiver's error throws, so the queue retries the job. */
export async function signedPost(receiverUrl: string, jobId: string, data: unknown): Promise<void> {
  const body = JSON.stringify(data);
  const ts = new Date();
  const id = `msg_${jobId.replaceAll('-', '')}`;
  const res = await post(receiverUrl, body, { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)), 'webhook-signature': signer.sign(id, ts, body) });
  if (res.status >= 300) throw new Error(`receiver answered ${res.status}`);
}

export type Stamped = Record<string, unknown> & { timestamp: string };

/** Listens on PORT; `store` commits one job per event before the 202. SIGTERM closes it and calls `stop`. */
export async function serveFloor(store: { one(e: Stamped): Promise<unknown>; many(es: Stamped[]): Promise<unknown> }, stop: () => Promise<unknown>) {
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
      // The receiver reads `timestamp` as Tripline's received_at (the payload's timestamp).
      const timestamp = new Date().toISOString();
      const stored = Array.isArray(parsed) ? store.many(parsed.map((e: object) => ({ ...e, timestamp }))) : store.one({ ...(parsed as object), timestamp });
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
    stop().finally(() => process.exit(0));
  });
  console.log('ready');
}
