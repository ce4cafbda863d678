import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { storeMixRows } from './report-store-mix.ts';

export interface Scenario {
  key: string;
  name: string;
  parameters: Record<string, unknown>;
  results: Record<string, any>;
  peakRssMb: Record<string, number | undefined>;
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

export type Row = [scenario: string, measure: string, result: string, target: string, met: string];

const fmt = (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-US') : String(n));
const yes = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'yes' : 'no');

function rows(s: Scenario): Row[] {
  const r = s.results;
  if (r.skipped) return [[s.name, 'skipped', String(r.skipped), '', '']];
  if (r.failed) return [[s.name, 'failed', String(r.failed), '', '']];
  switch (s.key) {
    case 'ingest':
      return [
        [s.name, 'single-event requests/s (median)', `${fmt(r.single.requestsPerSecondMedian)} (p99 ${r.single.latencyMs.p99} ms)`, '≥ 2,000', yes(r.single.requestsPerSecondMedian >= 2000)],
        ['', 'events/s in 100-event batches (median)', `${fmt(r.batched.eventsPerSecondMedian)} (p99 ${r.batched.latencyMs.p99} ms/request)`, '≥ 5,000', yes(r.batched.eventsPerSecondMedian >= 5000)],
      ];
    case 'e2e': {
      const out: Row[] = [];
      for (const kind of ['workflow', 'subscription'] as const) {
        for (const x of r[kind].rates) {
          const target = x.rate === 200 && kind === 'workflow' ? 'p50 ≤ 20, p99 ≤ 100' : '';
          const met = target ? yes(x.latency.p50 <= 20 && x.latency.p99 <= 100 && x.delivered === x.accepted) : '';
          out.push([out.length ? '' : s.name, `${kind} @ ${x.rate}/s: p50 / p95 / p99 ms`, `${x.latency.p50} / ${x.latency.p95} / ${x.latency.p99} (${x.delivered}/${x.accepted} delivered)`, target, met]);
        }
        out.push(['', `${kind}: highest rate with p99 ≤ 1 s`, `${fmt(r[kind].highestRateWithP99Under1s)}/s${r[kind].ladderTopReached ? ' (top of the ladder)' : ''}`, '', '']);
      }
      return out;
    }
    case 'runs':
      return [
        [s.name, 'runs/s, trigger → condition → set', fmt(r.set.runsPerSecond), '≥ 3,000', yes(r.set.runsPerSecond >= 3000)],
        ...(r.single ? [['', "runs/s, one customer's events (applied in order)", fmt(r.single.runsPerSecond), '', ''] as Row] : []),
        ['', 'runs/s, trigger → condition → webhook (delivered)', fmt(r.webhook.runsPerSecond), '≥ 1,000', yes(r.webhook.runsPerSecond >= 1000)],
        ['', 'database commits per run (set / webhook)', `${r.set.commitsPerRun ?? '–'} / ${r.webhook.commitsPerRun ?? '–'}`, '', ''],
      ];
    case 'crash':
      return [
        [
          s.name,
          'lost events, duplicate runs, events under two webhook-ids',
          `${r.lostEvents}, ${r.duplicateRuns}, ${r.eventsDeliveredUnderTwoIds} (${r.delivered}/${r.accepted} delivered)`,
          '0, 0, 0',
          yes(r.lostEvents + r.duplicateRuns + r.eventsDeliveredUnderTwoIds === 0 && r.delivered === r.accepted),
        ],
        ['', "killed worker's claimed events processed within (s, per kill)", `${(r.resumedWithinSeconds as (number | null)[]).map((x) => x ?? '–').join(' / ')} (${(r.claimedByTheKilledWorker as number[]).join(' / ')} events)`, '≤ 15', yes((r.resumedWithinSeconds as (number | null)[]).every((x) => x === null || x <= 15))],
      ];
    case 'routing':
      return [[s.name, 'runs/s with 10 → 10,000 other workflows', `${fmt(r.with10.runsPerSecond)} → ${fmt(r.with10000.runsPerSecond)} (ratio ${r.ratio})`, '≥ 0.9', yes(r.ratio >= 0.9)]];
    case 'scaleout':
      return [
        [
          s.name,
          'webhook runs/s, 1 → 2 workers',
          `${fmt(r.workers1.runsPerSecond)} → ${fmt(r.workers2.runsPerSecond)} (×${r.speedup}); duplicate runs ${r.workers1.duplicateRuns + r.workers2.duplicateRuns}, duplicate webhook-ids ${r.workers1.duplicateWebhookIds + r.workers2.duplicateWebhookIds}`,
          '≥ ×1.6 if the DB is not the limit; 0 duplicates',
          `${r.speedup >= 1.6 ? 'yes' : 'no (2 cores shared with PostgreSQL)'}; duplicates: ${yes(r.workers1.duplicateRuns + r.workers2.duplicateRuns + r.workers1.duplicateWebhookIds + r.workers2.duplicateWebhookIds === 0)}`,
        ],
      ];
    case 'rules':
      return Object.entries(r).map(([name, v]: [string, any], i) => [i ? '' : s.name, `${name} rule, evaluations/s`, fmt(v.evaluationsPerSecondMedian), '', '']);
    case 'canvas':
      // per size: first paint, every node, click → selected, drag → moved (medians, ms)
      return Object.entries(r).flatMap(([size, v]: [string, any], i): Row[] => {
        const med = (x: any) => (typeof x === 'string' ? x : fmt(x.p50));
        return [
          [i ? '' : s.name, `${size}: first paint / all nodes, median ms`, `${med(v.firstPaintMs)} / ${med(v.allNodesMs)}`, '', ''],
          ['', `${size}: click → selected / drag → moved, median ms`, `${med(v.clickToSelectedMs)} / ${med(v.dragMs)}`, '', ''],
        ];
      });
    case 'nodered': {
      const out: Row[] = [];
      for (const x of r.latency.rates) out.push([out.length ? '' : s.name, `Node-RED @ ${x.rate}/s: p50 / p95 / p99 ms`, `${x.latency.p50} / ${x.latency.p95} / ${x.latency.p99}`, '', '']);
      out.push(['', 'Node-RED burst runs/s', fmt(r.burst.runsPerSecond), '', '']);
      const lat = r.tripline_over_nodered.latency;
      const at200 = lat.at200 ?? Object.values(lat)[0];
      if (at200) out.push(['', 'Tripline / Node-RED latency @ 200/s (p50, p99)', `${at200.p50}×, ${at200.p99}×`, '', '']);
      out.push(['', 'Tripline / Node-RED runs/s (webhook flow)', `${r.tripline_over_nodered.runsPerSecond}×`, '', '']);
      return out;
    }
    case 'storemix':
      return storeMixRows(s);
    case 'history':
      return Object.keys(r.large).map((k, i): Row => [
        i ? '' : s.name,
        `${k} ms: 10,000 → ${fmt(s.parameters.largeEvents)} events`,
        `${r.small[k]} → ${r.large[k]} (×${r.ratio[k]})`,
        '≤ 20 ms, ≤ ×2',
        yes(r.large[k] <= 20 && r.ratio[k] <= 2),
      ]).concat([['', 'bytes per stored event (history tables)', `${fmt(r.storage.small.bytesPerEvent)} → ${fmt(r.storage.large.bytesPerEvent)}`, '', '']]);
    default:
      return [[s.name, '', JSON.stringify(r).slice(0, 200), '', '']];
  }
}

export function writeReport(scenarios: Scenario[], meta: { quick: boolean; seconds: number; only?: string[] }): string[] {
  const dir = path.join(import.meta.dirname, '..', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const m = machine();
  const when = new Date().toISOString();
  const json = { generatedAt: when, mode: meta.quick ? 'quick' : 'full', durationSeconds: meta.seconds, machine: m, scenarios };
  // The committed results come from a full run: a quick or partial run writes beside them.
  const suffix = `${meta.quick ? '-quick' : ''}${meta.only ? `-${meta.only.join('-')}` : ''}`;
  const jsonPath = path.join(dir, `latest${suffix}.json`);
  const mdPath = path.join(dir, `latest${suffix}.md`);
  fs.writeFileSync(jsonPath, JSON.stringify(json, null, 2) + '\n');

  const table: Row[] = scenarios.flatMap(rows);
  const rss = scenarios.flatMap((s) => Object.entries(s.peakRssMb).filter(([, v]) => v !== undefined).map(([p, v]) => `${p} ${v} MB`));
  const maxServerRss = Math.max(0, ...scenarios.flatMap((s) => Object.entries(s.peakRssMb).filter(([p, v]) => v !== undefined && p !== 'node-red' && !p.startsWith('bench')).map(([, v]) => v!)));
  const md = [
    `# Tripline benchmark — ${meta.quick ? 'quick' : 'full'} run`,
    '',
    `${when} · ${m.cores} × ${m.cpu} · ${m.memoryGb} GB · ${m.os} · Node ${m.node} · ${meta.seconds} s`,
    '',
    'All traffic on loopback; PostgreSQL runs on the same machine with `fsync=on` and `synchronous_commit=on`. Latency is from the 202 at the client to the signed request at the receiver.',
    '',
    '| Scenario | Measure | Result | Target | Met |',
    '| --- | --- | --- | --- | --- |',
    ...table.map((r) => `| ${r.join(' | ')} |`),
    `| Memory | peak RSS of the busiest Tripline process | ${maxServerRss} MB | ≤ 300 MB | ${yes(maxServerRss <= 300)} |`,
    '',
    `Peak RSS per process: ${rss.join(', ')}.`,
    '',
    'Node-RED keeps nothing durable (an event in flight is lost on a crash), signs nothing (in the store mix a function node signs each request) and records no run; Tripline answers 202 only after the event is committed, signs every request (Standard Webhooks) and records every run and step.',
    '',
  ].join('\n');
  fs.writeFileSync(mdPath, md);
  return [mdPath, jsonPath];
}
