/**
 * The store mix through the systems Tripline is set beside in the same run: the bare durable
 * floors (pg-boss and graphile-worker over TCP, bench/floor/) and Node-RED (not durable,
 * bench/lib/node-red-flows.ts). Both get the same rates and the same burst of orders as
 * Tripline; latency is from the 202 to the first signed POST for the event at the receiver,
 * a burst's runs/s from the first event sent to the last one received.
 */
import os from 'node:os';
import { burst, fixedRate, now, post, waitUntil, type FixedRateResult, type Receiver } from '../lib/load.ts';
import { storeMixFlow } from '../lib/node-red-flows.ts';
import { startNodeRed } from '../lib/procs.ts';
import { round, type BenchDeps } from '../lib/harness.ts';
import { startFloor, type FloorKind } from '../floor/start.ts';
import { ingestWhileProcessing, type IngestFigures } from '../lib/ingest-load.ts';
import { ladder } from './end-to-end.ts';

export interface DeliveredBurst {
  events: number;
  received: number;
  seconds: number;
  runsPerSecond: number;
  sendErrors: number;
}

/** Sends `n` events (in 100-event arrays, 4 in flight, or one per request, 32 in flight) and times them to the receiver. */
export async function deliveredBurst(o: { url: string; n: number; make: (id: string) => unknown; tag: string; receiver: Receiver; batched: boolean }): Promise<DeliveredBurst> {
  const { receiver, n, tag } = o;
  receiver.reset();
  const t0 = now();
  let sendErrors = 0;
  if (o.batched) {
    const batches: string[] = [];
    for (let i = 0; i < n; i += 100) batches.push(JSON.stringify(Array.from({ length: Math.min(100, n - i) }, (_, k) => o.make(`${tag}-${i + k}`))));
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < batches.length) if ((await post(o.url, batches[next++]!)).status !== 202) sendErrors += 100;
      }),
    );
  } else {
    sendErrors = (await burst({ url: o.url, count: n, concurrency: 32, body: (i) => JSON.stringify(o.make(`${tag}-${i}`)) })).errors;
  }
  const received = () => {
    let got = 0;
    for (let i = 0; i < n; i++) if (receiver.arrivals.has(`${tag}-${i}`)) got++;
    return got;
  };
  await waitUntil(() => received() >= n - sendErrors, 120_000, 20);
  const seconds = (now() - t0) / 1000;
  const got = received();
  return { events: n, received: got, seconds: round(seconds), runsPerSecond: Math.round(got / seconds), sendErrors };
}

/** The machine's 1-minute load average (2 cores here): how shared the machine was while a pass ran. */
export const loadNow = () => round(os.loadavg()[0]!, 1);

export interface OtherFigures {
  rates: FixedRateResult[];
  burst: DeliveredBurst;
  /** 1-minute load average at the start and the end of the pass. */
  load: [number, number];
}

export async function floorPass(deps: BenchDeps, kind: FloorKind, dbUrl: string, rates: number[], n: number, make: (id: string) => unknown, bigOrder: (id: string) => unknown): Promise<OtherFigures & { ingest: IngestFigures; warnings: string[]; peakRssMb?: number }> {
  const { say, receiver, P } = deps;
  const load0 = loadNow();
  const floor = await startFloor(kind, dbUrl, `${receiver.url}/floor`);
  try {
    await fixedRate({ url: floor.url, rate: 100, durationS: 1, receiver, makeEvent: make, tag: `${kind}warm`, waitMs: 10_000 });
    const out: FixedRateResult[] = [];
    for (const rate of rates) {
      receiver.reset();
      const r = await fixedRate({ url: floor.url, rate, durationS: P.e2eS, receiver, makeEvent: make, tag: `${kind}-${rate}` });
      say(`${kind} floor @${rate}/s: p50 ${r.latency.p50} ms, p95 ${r.latency.p95}, p99 ${r.latency.p99}, delivered ${r.delivered}/${r.accepted}`);
      out.push(r);
    }
    const b = await deliveredBurst({ url: floor.url, n, make: bigOrder, tag: `${kind}burst`, receiver, batched: true });
    say(`${kind} floor burst: ${b.runsPerSecond} runs/s (${b.received}/${n})`);
    const ingest = await ingestWhileProcessing(deps, floor.url, {}, make, `${kind}ingest`);
    say(`${kind} floor single-event ingest with processing: ${ingest.requestsPerSecondMedian} req/s (p99 ${ingest.latencyMs.p99} ms), drained after ${ingest.drainedAfterS ?? '–'} s`);
    if (floor.warnings.length) say(`${kind} floor warnings: ${floor.warnings.join('; ')}`);
    return { rates: out, burst: b, ingest, warnings: [...floor.warnings], peakRssMb: floor.peakRss(), load: [load0, loadNow()] };
  } finally {
    await floor.stop();
  }
}

export async function nodeRedPass(deps: BenchDeps, rates: number[], n: number, make: (id: string) => unknown, bigOrder: (id: string) => unknown): Promise<(OtherFigures & { peakRssMb?: number }) | { skipped: string }> {
  const { say, receiver, P, measured } = deps;
  const load0 = loadNow();
  let nr;
  try {
    nr = await startNodeRed(receiver.url, say, storeMixFlow(receiver.url));
  } catch (error) {
    return { skipped: (error as Error).message.slice(0, 300) };
  }
  try {
    await fixedRate({ url: `${nr.url}/events`, rate: 100, durationS: 1, receiver, makeEvent: make, tag: 'nrmixwarm', waitMs: 10_000 });
    const l = await ladder({ e2eS: P.e2eS, say, measured }, 'node-red-storemix', nr, receiver, `${nr.url}/events`, make, rates);
    const b = await deliveredBurst({ url: `${nr.url}/events`, n, make: bigOrder, tag: 'nrmixburst', receiver, batched: false });
    say(`node-red store mix burst: ${b.runsPerSecond} runs/s (${b.received}/${n})`);
    return { rates: l.rates, burst: b, peakRssMb: nr.peakRss(), load: [load0, loadNow()] };
  } finally {
    await nr.stop();
  }
}
