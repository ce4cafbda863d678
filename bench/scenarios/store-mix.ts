/**
 * Scenario "store mix" (issue 25, item 5): what a store sends, not one event type that
 * touches no state. Orders for new and returning customers, payments, refunds, stock
 * changes that cross the low-stock threshold back and forth; a workflow (order.created →
 * condition → webhook) and two subscriptions, one of them the console's test inbox on
 * orders (answered in-process, as in the demo), plus the small low-stock workflow that
 * makes the crossings exist (Tripline derives them only for watched thresholds).
 *
 * Tripline runs it three times on the same build, each on a fresh database: over the
 * embedded database's Unix socket, over TCP (127.0.0.1, as `DATABASE_URL` users connect),
 * and over TCP with both endpoints ordered per subject (receivers answer at once). Over TCP
 * it also measures single-event ingest with the workers processing what comes in. In the
 * same run, the same rates, burst and ingest go through two bare durable floors (pg-boss
 * and graphile-worker over TCP: one job per event, a signed POST, nothing recorded; the
 * faster at 200/s is "the floor" of the targets) and the rates and burst through Node-RED
 * (bench/scenarios/store-mix-others.ts). The #25 targets are judged here and listed in the
 * report (bench/lib/report-store-mix.ts).
 *
 * Latency is from the 202 to the first signed webhook for the event at the receiver (the
 * receiver's subscription takes every event of the mix; an order also arrives through the
 * workflow's webhook step, whichever comes first).
 */
import type { EndpointOrdering } from '@tripline/shared';
import { ingestWhileProcessing, type IngestFigures } from '../lib/ingest-load.ts';
import { fixedRate, type FixedRateResult } from '../lib/load.ts';
import { api, AUTH, publish, round, withDb, type BenchDeps } from '../lib/harness.ts';
import type { Proc } from '../lib/procs.ts';
import { runsBurst } from '../lib/workloads.ts';
import { ladder } from './end-to-end.ts';
import { floorPass, loadNow, nodeRedPass, type OtherFigures } from './store-mix-others.ts';

const RETURNING = 300;
const SKUS = 40;
const STOCK_SKUS = 12;

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
  // The j-th stock change: 12 SKUs in turn, each one's level swinging 2 ↔ 40 from one visit to
  // the next, so it crosses the low-stock workflow's threshold (10, below) every other time.
  const j = Math.floor(i / 20) * 3 + (slot - 17);
  return { id, type: 'product.stock_changed', data: { sku: `SKU-${j % STOCK_SKUS}`, quantity: Math.floor(j / STOCK_SKUS) % 2 === 0 ? 2 : 40, category: 'apparel' } };
}

/** An order.created above the workflow's condition, for a returning customer: every one is a webhook run. */
export const bigOrder = (id: string) => ({
  id,
  type: 'order.created',
  data: { orderId: `o_${id}`, customerId: `cus_ret_${Number(id.split('-').at(-1)) % RETURNING}`, status: 'paid', total: 120, currency: 'EUR', items: [{ sku: 'SKU-1', quantity: 1, price: 120 }] },
});

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

/**
 * trigger inventory.threshold_crossed (below 10) → webhook: Tripline derives a crossing only
 * for thresholds a workflow watches, so without it the stock changes would cross nothing.
 */
const lowStockWorkflow = (endpointId: string) => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'inventory.threshold_crossed', threshold: 10, direction: 'below' } },
    { id: 'notify', type: 'webhook', config: { endpointId } },
  ],
  edges: [{ id: 'e1', source: 'trigger', target: 'notify' }],
});

/** The embedded database over TCP instead of its Unix socket. */
export function tcpUrlOf(url: string): string {
  return url.includes('?host=') ? url.replace(/\?host=[^&]*$/, '').replace('@localhost:', '@127.0.0.1:') : url;
}

interface TriplinePass {
  rates: FixedRateResult[];
  highestRateWithP99Under1s: number;
  webhookBurst: Awaited<ReturnType<typeof runsBurst>>;
  ingest?: IngestFigures;
  /** inventory.threshold_crossed events derived over the pass. */
  thresholdCrossings: number;
  peakRssMb?: number;
  /** 1-minute load average at the start and the end of the pass. */
  load: [number, number];
}

/** One Tripline process on a fresh database: endpoints, inbox and workflow, warm-up, the rates, the burst (and the ingest). */
async function triplinePass(deps: BenchDeps, label: string, dbUrl: string, o: { ordering: EndpointOrdering; rates: number[]; burstN: number; ingest: boolean }): Promise<TriplinePass> {
  const { quick, P, say, receiver, measured, startTripline } = deps;
  const load0 = loadNow();
  const proc = await startTripline(`storemix-${label}`, dbUrl, { role: 'all' });
  try {
    const hook = await api<{ id: string }>(proc, '/api/v1/endpoints', { url: `${receiver.url}/mix-wf`, eventTypes: [], ordering: o.ordering });
    await api(proc, '/api/v1/endpoints', { url: `${receiver.url}/mix-sub`, eventTypes: ['order.*', 'product.*', 'inventory.*'], ordering: o.ordering });
    await api(proc, '/api/v1/inboxes', { name: 'Service desk (bench)', eventTypes: ['order.*'] });
    const workflowId = await publish(proc, 'Big orders → CRM', orderWorkflow(hook.id));
    await publish(proc, 'Low stock → purchasing', lowStockWorkflow(hook.id));
    await warmUp(deps, proc, `mixwarm${label}`, quick ? 1 : 2);
    const lad = await ladder({ e2eS: P.e2eS, say, measured }, `storemix-${label}`, proc, receiver, `${proc.url}/api/v1/events`, (id) => storeMixEvent(id), o.rates, dbUrl);
    receiver.reset();
    const burst = await measured(`store mix burst (${label})`, proc, dbUrl, (x) => x.completed, () => runsBurst(proc, dbUrl, workflowId, o.burstN, bigOrder, `mixburst${label}`, say));
    say(`store mix (${label}) webhook runs/s: ${burst.runsPerSecond} (${burst.completed}/${o.burstN}, ${burst.commitsPerRun} commits/run)`);
    let ingest: IngestFigures | undefined;
    if (o.ingest) {
      ingest = await ingestWhileProcessing(deps, `${proc.url}/api/v1/events`, AUTH, (id) => storeMixEvent(id), `mixingest${label}`);
      say(`store mix (${label}) single-event ingest with processing: ${ingest.requestsPerSecondMedian} req/s (p99 ${ingest.latencyMs.p99} ms), drained after ${ingest.drainedAfterS ?? '–'} s`);
    }
    // Proof the mix is what it says: the stock changes crossed the watched threshold.
    const crossings = await withDb(dbUrl, async (c) => (await c.query(`select count(*)::int as n from events where type = 'inventory.threshold_crossed'`)).rows[0].n as number);
    return { rates: lad.rates, highestRateWithP99Under1s: lad.highestRateWithP99Under1s, webhookBurst: burst, ingest, thresholdCrossings: crossings, peakRssMb: proc.peakRss(), load: [load0, loadNow()] };
  } finally {
    await proc.stop();
  }
}

/** Warm-up (JIT, pools, caches) at 100 events/s. */
async function warmUp(deps: BenchDeps, proc: Proc, tag: string, durationS: number) {
  await fixedRate({ url: `${proc.url}/api/v1/events`, headers: AUTH, rate: 100, durationS, receiver: deps.receiver, makeEvent: (id) => storeMixEvent(id), tag, waitMs: 10_000 });
}

/** a / b at each rate both measured (p50 and p99), and of the burst's runs/s (b / a: above 1 means a is slower). */
function ratios(a: { rates: FixedRateResult[] }, aBurst: number, b: { rates: FixedRateResult[] }, bBurst: number) {
  const out: Record<string, unknown> = {};
  for (const x of a.rates) {
    const y = b.rates.find((r) => r.rate === x.rate);
    if (y && y.latency.p50 > 0 && y.latency.p99 > 0) out[`at${x.rate}`] = { p50: round(x.latency.p50 / y.latency.p50), p99: round(x.latency.p99 / y.latency.p99) };
  }
  return { latency: out as Record<string, { p50: number; p99: number }>, burstSlowdown: aBurst > 0 ? round(bBurst / aBurst) : null };
}

export interface Target {
  target: string;
  result: string;
  met: boolean;
}

/** The #25 targets for the store mix over TCP, judged on this run's figures. */
function judge(tcp: TriplinePass, ordered: TriplinePass, floor: OtherFigures, floorName: string): Target[] {
  const at = (p: TriplinePass | OtherFigures, rate: number) => p.rates.find((r) => r.rate === rate);
  const out: Target[] = [];
  for (const rate of [200, 500]) {
    const r = at(tcp, rate);
    out.push({
      target: `p50 ≤ 20 ms and p99 ≤ 100 ms @ ${rate}/s (all delivered)`,
      result: r ? `${r.latency.p50} / ${r.latency.p99} ms (${r.delivered}/${r.accepted})` : 'not measured',
      met: !!r && r.latency.p50 <= 20 && r.latency.p99 <= 100 && r.delivered === r.accepted,
    });
  }
  out.push({ target: '≥ 1,000 webhook runs/s in a burst', result: `${tcp.webhookBurst.runsPerSecond.toLocaleString('en-US')} runs/s (${tcp.webhookBurst.completed}/${tcp.webhookBurst.n})`, met: tcp.webhookBurst.runsPerSecond >= 1000 && tcp.webhookBurst.completed === tcp.webhookBurst.n });
  if (tcp.ingest) out.push({ target: 'single-event ingest ≥ 2,000 requests/s with processing running', result: `${tcp.ingest.requestsPerSecondMedian.toLocaleString('en-US')} req/s`, met: tcp.ingest.requestsPerSecondMedian >= 2000 });
  const t200 = at(tcp, 200);
  const f200 = at(floor, 200);
  const floorRatio = t200 && f200 && f200.latency.p50 > 0 ? round(t200.latency.p50 / f200.latency.p50) : null;
  out.push({ target: "p50 @ 200/s within 3× of the bare durable floor's", result: `${t200?.latency.p50 ?? '–'} vs ${f200?.latency.p50 ?? '–'} ms (${floorName}; ×${floorRatio ?? '–'})`, met: floorRatio !== null && floorRatio <= 3 });
  const o = ratios(ordered, ordered.webhookBurst.runsPerSecond, tcp, tcp.webhookBurst.runsPerSecond);
  const lat = Object.entries(o.latency);
  out.push({
    target: 'ordered endpoints within 1.5× of unordered (p50, p99 at each rate; burst runs/s)',
    result: `${lat.map(([k, v]) => `${k.slice(2)}/s p50 ×${v.p50}, p99 ×${v.p99}`).join('; ')}; burst time ×${o.burstSlowdown ?? '–'}`,
    met: lat.length > 0 && lat.every(([, v]) => v.p50 <= 1.5 && v.p99 <= 1.5) && o.burstSlowdown !== null && o.burstSlowdown <= 1.5,
  });
  return out;
}

export async function scenarioStoreMix(deps: BenchDeps) {
  const { quick, P, say, freshDatabase, report } = deps;
  const rates = quick ? [200, 500] : [200, 500, 1000];
  const burstN = quick ? 600 : 3000;
  // The passes the targets compare sit next to each other in time (the machine is shared, and
  // its load changes from one minute to the next): the floors, then TCP, then TCP ordered.
  // For profiling one change (with --profile or BENCH_CPU_PROF): only the TCP pass (BENCH_STOREMIX_ORDERING=subject: ordered; BENCH_STOREMIX_INGEST=1: with the ingest measure), at these rates, printed, no report.
  if (process.env.BENCH_STOREMIX_TCP_ONLY) {
    if (process.env.BENCH_STOREMIX_RATES) rates.splice(0, rates.length, ...process.env.BENCH_STOREMIX_RATES.split(',').map(Number));
    const ordering = process.env.BENCH_STOREMIX_ORDERING === 'subject' ? 'subject' : 'none';
    const tcp = await triplinePass(deps, 'tcp', tcpUrlOf(await freshDatabase('storemix_tcp')), { ordering, rates, burstN, ingest: !!process.env.BENCH_STOREMIX_INGEST });
    say(`TCP pass only (ordering ${ordering}): ${JSON.stringify(tcp.rates.map((r) => [r.rate, r.latency]))}, burst ${tcp.webhookBurst.runsPerSecond} runs/s, ingest ${tcp.ingest?.requestsPerSecondMedian ?? "–"} req/s, drained ${tcp.ingest?.drainedAfterS ?? "–"} s after`);
    return;
  }
  const socket = await triplinePass(deps, 'socket', await freshDatabase('storemix_socket'), { ordering: 'none', rates, burstN, ingest: false });
  const floors = {
    pgboss: await floorPass(deps, 'pgboss', tcpUrlOf(await freshDatabase('storemix_floor_pgboss')), rates, burstN, (id) => storeMixEvent(id), bigOrder),
    graphile: await floorPass(deps, 'graphile', tcpUrlOf(await freshDatabase('storemix_floor_graphile')), rates, burstN, (id) => storeMixEvent(id), bigOrder),
  };
  const tcp = await triplinePass(deps, 'tcp', tcpUrlOf(await freshDatabase('storemix_tcp')), { ordering: 'none', rates, burstN, ingest: true });
  const tcpOrdered = await triplinePass(deps, 'tcp-ordered', tcpUrlOf(await freshDatabase('storemix_tcp_ordered')), { ordering: 'subject', rates, burstN, ingest: false });
  // The floor is what a durable design reaches here: the faster of the two at 200/s.
  const p50At200 = (f: OtherFigures) => f.rates.find((r) => r.rate === 200)?.latency.p50 ?? Infinity;
  const floorName = p50At200(floors.graphile) < p50At200(floors.pgboss) ? 'graphile' : 'pgboss';
  const floor = floors[floorName];
  const nodeRed = await nodeRedPass(deps, rates, burstN, (id) => storeMixEvent(id), bigOrder);
  const burstOf = (p: TriplinePass) => p.webhookBurst.runsPerSecond;
  const ratioTable = {
    tcpOverSocket: ratios(tcp, burstOf(tcp), socket, burstOf(socket)),
    tcpOverPgBoss: ratios(tcp, burstOf(tcp), floors.pgboss, floors.pgboss.burst.runsPerSecond),
    tcpOverGraphile: ratios(tcp, burstOf(tcp), floors.graphile, floors.graphile.burst.runsPerSecond),
    tcpOverNodeRed: 'skipped' in nodeRed ? null : ratios(tcp, burstOf(tcp), nodeRed, nodeRed.burst.runsPerSecond),
    orderedOverUnordered: ratios(tcpOrdered, burstOf(tcpOrdered), tcp, burstOf(tcp)),
  };
  const targets = judge(tcp, tcpOrdered, floor, floorName === 'pgboss' ? 'pg-boss' : 'graphile-worker');
  for (const t of targets) say(`store mix target: ${t.target}: ${t.result} → ${t.met ? 'met' : 'missed'}`);
  report({
    key: 'storemix',
    name: 'Store mix (orders new/returning, payments, refunds, stock crossings; workflow + subscription + test inbox)',
    parameters: {
      rates,
      durationPerRateS: P.e2eS,
      burst: `${burstN} orders above the condition (returning customers), 100-event batches, 4 in flight (Node-RED: one per request, 32 in flight)`,
      ingest: `autocannon, 32 connections, ${P.ingestS} s, one store-mix event per request, workers processing (Tripline over TCP, and each floor)`,
      setup: 'workflows order.created → total > 50 → webhook and inventory.threshold_crossed (below 10) → webhook; a subscription to order.*, product.*, inventory.*; the test inbox on order.*',
      transports: 'embedded PostgreSQL over its Unix socket, and over TCP 127.0.0.1',
      ordered: "both endpoints ordering: 'subject' (receivers answer at once)",
      floors: 'each its own process over TCP; one job per event committed before the 202, a signed POST, nothing recorded. pg-boss 12: LISTEN/NOTIFY wake-up, batch fetch of 50 (again at once while full), 2 workers. graphile-worker 0.18: its LISTEN/NOTIFY, 10 jobs at once, no local queue',
      nodeRed: 'http in → switch on type → switch on total → sign → http request (no test inbox, no threshold crossings, nothing durable)',
    },
    results: { socket, tcp, tcpOrdered, floors, floorForTargets: floorName, nodeRed, ratios: ratioTable, targets },
    peakRssMb: { 'storemix-socket': socket.peakRssMb, 'storemix-tcp': tcp.peakRssMb, 'storemix-tcp-ordered': tcpOrdered.peakRssMb, ...('skipped' in nodeRed ? {} : { 'node-red': nodeRed.peakRssMb }) },
  });
}
