/**
 * Scenario "store mix" (issue 25, item 5): what a store sends, not one event type that
 * touches no state. Orders for new and returning customers, payments, refunds, stock
 * changes that cross the low-stock threshold back and forth; a workflow (order.created →
 * condition → webhook) and two subscriptions, one of them the console's test inbox on
 * orders (answered in-process, as in the demo). Run twice on the same build: against the
 * embedded database over its Unix socket, and over TCP (127.0.0.1), as `DATABASE_URL`
 * users connect. Then the bare durable floor on the same database: pg-boss, one job per
 * event, a signed POST, nothing recorded.
 *
 * Latency is from the 202 to the first signed webhook for the event at the receiver (the
 * receiver's subscription takes every event of the mix; an order also arrives through the
 * workflow's webhook step, whichever comes first).
 */
import http from 'node:http';
import { PgBoss } from 'pg-boss';
import { Webhook } from 'standardwebhooks';
import { fixedRate, now, post, type FixedRateResult } from '../lib/load.ts';
import { api, AUTH, publish, round, type BenchDeps } from '../lib/harness.ts';
import { runsBurst } from '../lib/workloads.ts';
import { ladder } from './end-to-end.ts';

const RETURNING = 300;
const SKUS = 40;

/** The i-th event of the mix (deterministic): 35 % new customers' orders, 25 % returning, 15 % paid, 10 % refunds, 15 % stock. */
export function storeMixEvent(id: string): unknown {
  const i = Number(id.slice(id.lastIndexOf('-') + 1)) || 0;
  const slot = i % 20;
  const returning = `cus_ret_${i % RETURNING}`;
  const items = [{ sku: `SKU-${i % SKUS}`, quantity: 1 + (i % 3), price: 19.9 }];
  if (slot < 7) return { id, type: 'order.created', data: { orderId: `o_${id}`, customerId: `cus_new_${id}`.slice(0, 60), status: 'paid', total: 19.9 + (i % 200), currency: 'EUR', items } };
  if (slot < 12) return { id, type: 'order.created', data: { orderId: `o_${id}`, customerId: returning, status: 'processing', total: 19.9 + (i % 200), currency: 'EUR', items } };
  if (slot < 15) return { id, type: 'order.paid', data: { orderId: `o_${id}`, customerId: returning, status: 'paid', total: 59.7, currency: 'EUR', items } };
  if (slot < 17) return { id, type: 'order.refunded', data: { orderId: `o_${id}`, customerId: returning, amount: 19.9, currency: 'EUR', reason: 'bench' } };
  // Stock swings across the default low-stock threshold, so threshold_crossed is derived both ways.
  return { id, type: 'product.stock_changed', data: { sku: `SKU-${i % SKUS}`, quantity: i % 2 === 0 ? 2 : 40, category: 'apparel' } };
}

/** trigger order.created → condition (total > 50) → webhook, false → stop. */
const orderWorkflow = (endpointId: string) => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'order.created' } },
    { id: 'big', type: 'condition', config: { rule: { '>': [{ var: 'data.total' }, 50] } } },
    { id: 'notify', type: 'webhook', config: { endpointId } },
    { id: 'skip', type: 'stop', config: { reason: 'small order' } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'big' },
    { id: 'e2', source: 'big', target: 'notify', sourceHandle: 'true' },
    { id: 'e3', source: 'big', target: 'skip', sourceHandle: 'false' },
  ],
});

/** The embedded database over TCP instead of its Unix socket. */
export function tcpUrlOf(url: string): string {
  return url.includes('?host=') ? url.replace(/\?host=[^&]*$/, '').replace('@localhost:', '@127.0.0.1:') : url;
}

export async function scenarioStoreMix(deps: BenchDeps) {
  const { quick, P, say, receiver, freshDatabase, measured, startTripline, report } = deps;
  const results: Record<string, unknown> = {};
  const rates = quick ? [200, 500] : [200, 500, 1000];
  for (const transport of ['socket', 'tcp'] as const) {
    const socketUrl = await freshDatabase(`storemix_${transport}`);
    const url = transport === 'tcp' ? tcpUrlOf(socketUrl) : socketUrl;
    const proc = await startTripline(`storemix-${transport}`, url, { role: 'all' });
    try {
      const hook = await api<{ id: string }>(proc, '/api/v1/endpoints', { url: `${receiver.url}/mix-wf`, eventTypes: [] });
      await api(proc, '/api/v1/endpoints', { url: `${receiver.url}/mix-sub`, eventTypes: ['order.*', 'product.*', 'inventory.*'] });
      await api(proc, '/api/v1/inboxes', { name: 'Service desk (bench)', eventTypes: ['order.*'] });
      const workflowId = await publish(proc, 'Big orders → CRM', orderWorkflow(hook.id));
      await fixedRate({ url: `${proc.url}/api/v1/events`, headers: AUTH, rate: 100, durationS: quick ? 1 : 2, receiver, makeEvent: (id) => storeMixEvent(id), tag: `mixwarm${transport}`, waitMs: 10_000 });
      const lad = await ladder({ e2eS: P.e2eS, say, measured }, `storemix-${transport}`, proc, receiver, `${proc.url}/api/v1/events`, (id) => storeMixEvent(id), rates, url);
      receiver.reset();
      // Burst: every event an order.created above the condition, so each is a webhook run.
      const n = quick ? 600 : 3000;
      const bigOrder = (id: string) => ({ id, type: 'order.created', data: { orderId: `o_${id}`, customerId: `cus_ret_${Number(id.split('-').at(-1)) % RETURNING}`, status: 'paid', total: 120, currency: 'EUR', items: [{ sku: 'SKU-1', quantity: 1, price: 120 }] } });
      const burst = await measured(`store mix burst (${transport})`, proc, url, (x) => x.completed, () => runsBurst(proc, url, workflowId, n, bigOrder, `mixburst${transport}`, say));
      say(`store mix (${transport}) webhook runs/s: ${burst.runsPerSecond} (${burst.completed}/${n}, ${burst.commitsPerRun} commits/run)`);
      results[transport] = { ladder: lad, webhookBurst: burst };
    } finally {
      await proc.stop();
    }
  }
  const floor = await pgBossFloor(await freshDatabase('storemix_floor'), deps, rates);
  results.floor = floor;
  const tcp = results.tcp as { ladder: { rates: FixedRateResult[] } };
  const at200 = tcp.ladder.rates.find((r) => r.rate === 200);
  const floor200 = floor.find((r) => r.rate === 200);
  const ratio = at200 && floor200 && floor200.latency.p50 > 0 ? round(at200.latency.p50 / floor200.latency.p50) : null;
  say(`store mix over TCP vs the pg-boss floor at 200/s: p50 ${at200?.latency.p50} ms vs ${floor200?.latency.p50} ms (×${ratio})`);
  report({
    key: 'storemix',
    name: 'Store mix (orders new/returning, payments, refunds, stock crossings; workflow + subscription + test inbox)',
    parameters: { rates, durationPerRateS: P.e2eS, transports: 'embedded PostgreSQL over its Unix socket, and over TCP 127.0.0.1', floor: 'pg-boss: one job per event, signed POST, nothing recorded' },
    results: { ...results, tcpP50Over200FloorRatio: ratio },
    peakRssMb: {},
  });
}

/**
 * The bare durable floor: an HTTP endpoint that answers 202 once pg-boss committed one job
 * for the event, and a pg-boss worker that signs and POSTs it. Nothing else is recorded.
 */
async function pgBossFloor(dbUrl: string, deps: BenchDeps, rates: number[]): Promise<FixedRateResult[]> {
  const { say, receiver, P } = deps;
  const boss = new PgBoss({ connectionString: tcpUrlOf(dbUrl), max: 10 });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue('floor');
  const signer = new Webhook(`whsec_${Buffer.from('bench-floor-secret-0123456789abcdef').toString('base64')}`);
  await boss.work('floor', { batchSize: 50, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    await Promise.all(
      jobs.map(async (job) => {
        const body = JSON.stringify(job.data);
        const ts = new Date();
        const id = `msg_${job.id.replaceAll('-', '')}`;
        await post(`${receiver.url}/floor`, body, { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)), 'webhook-signature': signer.sign(id, ts, body) });
      }),
    );
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string };
      boss.send('floor', { ...event, timestamp: new Date().toISOString() }).then(
        () => void res.writeHead(202).end(),
        () => void res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/events`;
  const out: FixedRateResult[] = [];
  try {
    for (const rate of rates) {
      receiver.reset();
      const t0 = now();
      const r = await fixedRate({ url, rate, durationS: P.e2eS, receiver, makeEvent: (id) => storeMixEvent(id), tag: `floor-${rate}` });
      say(`pg-boss floor @${rate}/s: p50 ${r.latency.p50} ms, p95 ${r.latency.p95}, p99 ${r.latency.p99}, delivered ${r.delivered}/${r.accepted} (${round((now() - t0) / 1000)} s)`);
      out.push(r);
    }
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    await boss.stop({ graceful: false, close: true }).catch(() => {});
  }
  return out;
}
