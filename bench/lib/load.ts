import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Milliseconds on one monotonic clock shared by the load generator and the receiver (same process). */
export const now = () => performance.now();

export interface Arrival {
  at: number;
  /** Wall-clock ms at arrival, to compare with the event's received_at (the payload's timestamp). */
  wall: number;
  eventId: string;
  webhookId: string | undefined;
  timestamp: string | undefined;
  signed: boolean;
}

export interface Receiver {
  url: string;
  arrivals: Map<string, Arrival[]>;
  /** Deliveries per webhook-id (to count duplicates). */
  byWebhookId: Map<string, number>;
  count: number;
  reset(): void;
  close(): Promise<void>;
}

/** A loopback receiver answering 200 at once; records when each event id arrived. */
export async function startReceiver(): Promise<Receiver> {
  const r: Receiver = {
    url: '',
    arrivals: new Map(),
    byWebhookId: new Map(),
    count: 0,
    reset() {
      this.arrivals.clear();
      this.byWebhookId.clear();
      this.count = 0;
    },
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = now();
      const wall = Date.now();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      let body: { id?: string; timestamp?: string } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        /* not JSON */
      }
      const eventId = String(body.id ?? '');
      const webhookId = req.headers['webhook-id'] as string | undefined;
      const arrival = { at, wall, eventId, webhookId, timestamp: body.timestamp, signed: typeof req.headers['webhook-signature'] === 'string' };
      const list = r.arrivals.get(eventId);
      if (list) list.push(arrival);
      else r.arrivals.set(eventId, [arrival]);
      if (webhookId) r.byWebhookId.set(webhookId, (r.byWebhookId.get(webhookId) ?? 0) + 1);
      r.count++;
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return r;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Dist {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function dist(values: number[]): Dist {
  const s = [...values].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    n: s.length,
    p50: r(percentile(s, 50)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
    max: r(s.at(-1) ?? NaN),
    mean: r(s.reduce((a, b) => a + b, 0) / (s.length || 1)),
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** POST JSON; resolves with the status and the monotonic time the response ended. */
export function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; at: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, at: now(), text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface FixedRateResult {
  rate: number;
  durationS: number;
  sent: number;
  accepted: number;
  errors: number;
  delivered: number;
  /** Latency from the 202 at the client to the receiver, ms. */
  latency: Dist;
  /** From the event's received_at (set by the API on arrival) to the receiver, ms (wall clock, 1 ms resolution). */
  fromReceivedAt: Dist;
  /** Time for the API to answer 202, ms. */
  accept: Dist;
  achievedRate: number;
  unsigned: number;
}

/**
 * Open-loop load: `rate` single-event requests per second for `durationS`, whatever the
 * answers' pace; then waits for the receiver to get every accepted event.
 */
export async function fixedRate(opts: {
  url: string;
  headers?: Record<string, string>;
  rate: number;
  durationS: number;
  receiver: Receiver;
  makeEvent: (id: string) => unknown;
  tag: string;
  waitMs?: number;
}): Promise<FixedRateResult> {
  const { rate, durationS, receiver } = opts;
  const total = Math.round(rate * durationS);
  const accepted = new Map<string, number>();
  const acceptTimes: number[] = [];
  let errors = 0;
  let sent = 0;
  const inflight: Promise<void>[] = [];
  const start = now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((now() - start) / 1000) * rate) + 1);
      while (sent < due) {
        const id = `${opts.tag}-${sent}`;
        sent++;
        const t0 = now();
        inflight.push(
          post(opts.url, JSON.stringify(opts.makeEvent(id)), opts.headers)
            .then((res) => {
              if (res.status === 202) {
                accepted.set(id, res.at);
                acceptTimes.push(res.at - t0);
              } else errors++;
            })
            .catch(() => void errors++),
        );
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inflight);
  const sendSeconds = (now() - start) / 1000;
  // Wait for every accepted event to arrive (or for arrivals to stop for a while).
  const deadline = now() + (opts.waitMs ?? 30_000);
  let lastCount = -1;
  let lastChange = now();
  for (;;) {
    let got = 0;
    for (const id of accepted.keys()) if (receiver.arrivals.has(id)) got++;
    if (got >= accepted.size) break;
    if (got !== lastCount) {
      lastCount = got;
      lastChange = now();
    }
    if (now() > deadline || now() - lastChange > 10_000) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const lat: number[] = [];
  const fromReceived: number[] = [];
  let unsigned = 0;
  for (const [id, at] of accepted) {
    const a = receiver.arrivals.get(id)?.[0];
    if (!a) continue;
    lat.push(a.at - at);
    if (a.timestamp) fromReceived.push(a.wall - Date.parse(a.timestamp));
    if (!a.signed) unsigned++;
  }
  return {
    rate,
    durationS,
    sent,
    accepted: accepted.size,
    errors,
    delivered: lat.length,
    latency: dist(lat),
    fromReceivedAt: dist(fromReceived),
    accept: dist(acceptTimes),
    achievedRate: Math.round(sent / sendSeconds),
    unsigned,
  };
}

/** Sends `count` single-event requests with `concurrency` in flight; returns when all were answered. */
export async function burst(opts: { url: string; headers?: Record<string, string>; count: number; concurrency: number; body: (i: number) => string }): Promise<{ seconds: number; errors: number }> {
  let next = 0;
  let errors = 0;
  const start = now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < opts.count) {
        const i = next++;
        const res = await post(opts.url, opts.body(i), opts.headers).catch(() => ({ status: 0 }));
        if (res.status !== 202) errors++;
      }
    }),
  );
  return { seconds: (now() - start) / 1000, errors };
}

export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
