/**
 * The store mix's rows in the report table (bench/lib/report.ts): each Tripline pass's rates
 * and burst, ingest with processing, the floor's and Node-RED's figures, the ratios, and each
 * #25 target with met / missed (judged by the scenario, bench/scenarios/store-mix.ts).
 */
import type { FixedRateResult } from './load.ts';
import type { Row, Scenario } from './report.ts';

const fmt = (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-US') : String(n ?? '–'));
const rateRow = (label: string, x: FixedRateResult): Row => ['', `${label} @ ${x.rate}/s: p50 / p95 / p99 ms`, `${x.latency.p50} / ${x.latency.p95} / ${x.latency.p99} (${x.delivered}/${x.accepted} delivered)`, '', ''];

/** a / b: latency at each rate, and burst time (b's runs/s over a's): above 1, a is slower. */
type Ratios = { latency: Record<string, { p50: number; p99: number }>; burstSlowdown: number | null } | null;
function ratioRow(label: string, r: Ratios): Row {
  if (!r) return ['', label, 'not measured', '', ''];
  const lat = Object.entries(r.latency).map(([k, v]) => `${k.slice(2)}/s p50 ×${v.p50}, p99 ×${v.p99}`);
  return ['', label, `${lat.join('; ')}; burst time ×${r.burstSlowdown ?? '–'}`, '', ''];
}

export function storeMixRows(s: Scenario): Row[] {
  const r = s.results;
  const out: Row[] = [];
  const passes: [string, any][] = [
    ['Tripline, Unix socket', r.socket],
    ['Tripline, TCP', r.tcp],
    ["Tripline, TCP, ordering 'subject'", r.tcpOrdered],
  ];
  for (const [label, p] of passes) {
    for (const x of p.rates) out.push(rateRow(label, x));
    const b = p.webhookBurst;
    out.push(['', `${label}: burst webhook runs/s (commits/run)`, `${fmt(b.runsPerSecond)} (${b.completed}/${b.n} runs, ${b.commitsPerRun} commits/run; ${fmt(p.thresholdCrossings)} stock crossings in the pass)`, '', '']);
  }
  if (r.tcp.ingest) {
    const i = r.tcp.ingest;
    out.push(['', 'Tripline, TCP: single-event ingest req/s, workers processing (median)', `${fmt(i.requestsPerSecondMedian)} (p99 ${i.latencyMs.p99} ms; drained ${i.drainedAfterS ?? '–'} s after)`, '', '']);
  }
  for (const [key, label] of [['pgboss', 'pg-boss floor (TCP)'], ['graphile', 'graphile-worker floor (TCP)']] as const) {
    const f = r.floors[key];
    for (const x of f.rates) out.push(rateRow(label, x));
    out.push(['', `${label}: burst runs/s`, `${fmt(f.burst.runsPerSecond)} (${f.burst.received}/${f.burst.events})${f.warnings.length ? `; warned: ${f.warnings.join('; ').slice(0, 200)}` : ''}`, '', '']);
    if (f.ingest) out.push(['', `${label}: single-event ingest req/s, workers processing (median)`, `${fmt(f.ingest.requestsPerSecondMedian)} (p99 ${f.ingest.latencyMs.p99} ms; drained ${f.ingest.drainedAfterS ?? '–'} s after)`, '', '']);
  }
  if (r.nodeRed.skipped) out.push(['', 'Node-RED', `skipped: ${r.nodeRed.skipped}`, '', '']);
  else {
    for (const x of r.nodeRed.rates) out.push(rateRow('Node-RED', x));
    out.push(['', 'Node-RED: burst runs/s', `${fmt(r.nodeRed.burst.runsPerSecond)} (${r.nodeRed.burst.received}/${r.nodeRed.burst.events})`, '', '']);
  }
  const loads: [string, any][] = [['socket', r.socket], ['TCP', r.tcp], ['TCP ordered', r.tcpOrdered], ['pg-boss', r.floors.pgboss], ['graphile-worker', r.floors.graphile], ['Node-RED', r.nodeRed]];
  out.push(['', 'machine load (1-min average, start → end of each pass; 2 cores)', loads.filter(([, p]) => p.load).map(([k, p]) => `${k} ${p.load[0]} → ${p.load[1]}`).join(', '), '', '']);
  out.push(ratioRow('TCP / Unix socket', r.ratios.tcpOverSocket));
  out.push(ratioRow('Tripline TCP / pg-boss floor', r.ratios.tcpOverPgBoss));
  out.push(ratioRow('Tripline TCP / graphile-worker floor', r.ratios.tcpOverGraphile));
  out.push(ratioRow('Tripline TCP / Node-RED', r.ratios.tcpOverNodeRed));
  out.push(ratioRow('ordered / unordered (TCP)', r.ratios.orderedOverUnordered));
  for (const t of r.targets as { target: string; result: string; met: boolean }[]) out.push(['', '#25 target, store mix over TCP', t.result, t.target, t.met ? 'met' : 'missed']);
  out[0]![0] = s.name;
  return out;
}
