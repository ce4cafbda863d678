/**
 * Scenario 8: Node-RED (http in → switch → http request) through the same ladder and burst
 * as Tripline's scenarios 2 and 3, with Tripline's figures over Node-RED's when e2e ran first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { burst, fixedRate, now, waitUntil } from '../lib/load.ts';
import { startNodeRed, type Proc } from '../lib/procs.ts';
import { FIXED_RATES, round, type BenchDeps } from '../lib/harness.ts';
import { discount } from '../lib/workloads.ts';
import { ladder, type TriplineFigures } from './end-to-end.ts';

export async function scenarioNodeRed({ quick, P, say, receiver, measured, report, tripline }: BenchDeps & { tripline: TriplineFigures }) {
  let nr: Proc;
  try {
    nr = await startNodeRed(`${receiver.url}/nr`, say);
  } catch (error) {
    report({ key: 'nodered', name: '8. Node-RED side by side', parameters: {}, results: { skipped: (error as Error).message.slice(0, 300) }, peakRssMb: {} });
    return;
  }
  try {
    await fixedRate({ url: `${nr.url}/events`, rate: 100, durationS: 2, receiver, makeEvent: (id) => discount(id), tag: 'nrwarm', waitMs: 10_000 });
    const rates = quick ? FIXED_RATES : P.ladder;
    const l = await ladder({ e2eS: P.e2eS, say, measured }, 'node-red', nr, receiver, `${nr.url}/events`, (id) => discount(id), rates);
    receiver.reset();
    const t0 = now();
    const b = await burst({ url: `${nr.url}/events`, count: P.burstN, concurrency: 32, body: (i) => JSON.stringify(discount(`nrb-${i}`)) });
    await waitUntil(() => receiver.arrivals.size >= P.burstN - b.errors, 120_000, 20);
    const seconds = (now() - t0) / 1000;
    const nrBurst = Math.round(receiver.arrivals.size / seconds);
    say(`node-red burst: ${nrBurst}/s`);
    const ratios: Record<string, unknown> = {};
    for (const r of l.rates) {
      const t = tripline.workflowRates?.find((x) => x.rate === r.rate);
      if (t) ratios[`at${r.rate}`] = { p50: round(t.latency.p50 / r.latency.p50), p99: round(t.latency.p99 / r.latency.p99) };
    }
    report({
      key: 'nodered',
      name: '8. Node-RED side by side (http in → switch → http request)',
      parameters: { version: readNodeRedVersion(), rates, burst: P.burstN, burstConcurrency: 32, note: 'Node-RED answers 202 before doing anything and keeps nothing durable: a crash loses every event in flight; it signs nothing.' },
      results: {
        latency: l,
        burst: { events: P.burstN, seconds: round(seconds), runsPerSecond: nrBurst, errors: b.errors },
        tripline_over_nodered: { latency: ratios, runsPerSecond: tripline.webhookBurst ? round(tripline.webhookBurst / nrBurst) : null },
      },
      peakRssMb: { 'node-red': nr.peakRss() },
    });
  } finally {
    await nr.stop();
  }
}
function readNodeRedVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(os.tmpdir(), 'tripline-bench-node-red/node_modules/node-red/package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}
