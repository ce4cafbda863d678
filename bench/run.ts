/**
 * `npm run bench` (add `-- --quick` for a small run of every scenario, `--only=a,b` for some).
 *
 * Starts a throwaway embedded PostgreSQL (or uses DATABASE_URL), runs Tripline as real
 * child processes (so each one's peak RSS can be read), receives webhooks on loopback in
 * this process, and writes bench/results/latest.md and latest.json. This file only reads the
 * flags, wires the scenarios (bench/scenarios/, bench/history/) and writes the report; what
 * they share is handed to each as an object (BenchDeps in bench/lib/harness.ts).
 *
 * For profiling one change: `--profile` (CPU, statements and commits per event, latency by
 * stage), BENCH_CPU_PROF=<dir> (V8 profiles of each Tripline process),
 * BENCH_STATEMENTS_BY_CALLS=1 (every statement by frequency), and BENCH_STOREMIX_TCP_ONLY=1
 * with BENCH_STOREMIX_RATES=200 (the store mix's TCP pass alone).
 */
import path from 'node:path';
import { startReceiver } from './lib/load.ts';
import { API_KEY, ROOT, startTripline } from './lib/procs.ts';
import { writeReport, type Scenario } from './lib/report.ts';
import { paramsFor, setupDatabase, type BenchDeps } from './lib/harness.ts';
import { scenarioHistory } from './history/scenario.ts';
import { scenarioBackfill } from './scenarios/backfill.ts';
import { scenarioCanvas } from './scenarios/canvas.ts';
import { scenarioCrash } from './scenarios/crash.ts';
import { scenarioEndToEnd, type TriplineFigures } from './scenarios/end-to-end.ts';
import { scenarioIngest } from './scenarios/ingest.ts';
import { scenarioNodeRed } from './scenarios/node-red.ts';
import { scenarioRouting } from './scenarios/routing.ts';
import { scenarioRules } from './scenarios/rules.ts';
import { scenarioScaleOut } from './scenarios/scale-out.ts';
import { scenarioStoreMix } from './scenarios/store-mix.ts';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
/** `--profile`: CPU split, commits and statements (pg_stat_statements) and latency by stage, per step. */
const profiling = process.argv.includes('--profile');
/** `--cpu-prof`: the e2e process writes a V8 CPU profile (bench/results/cpu/*.cpuprofile) when it stops. */
const cpuProf = process.argv.includes('--cpu-prof') ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.join(ROOT, 'bench/results/cpu')}` } : undefined;
const say = (s: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}`);
const want = (key: string) => !only || only.includes(key);

const started = Date.now();
const scenarios: Scenario[] = [];
const db = await setupDatabase({ profiling, say });
const receiver = await startReceiver();
const deps: BenchDeps = {
  quick,
  P: paramsFor(quick),
  profiling,
  say,
  receiver,
  freshDatabase: db.freshDatabase,
  measured: db.measured,
  startTripline,
  report: (s) => void scenarios.push(s),
};
// Filled by e2e, read by nodered (which runs after it), to set the two side by side.
const tripline: TriplineFigures = {};
try {
  const steps: [string, () => Promise<void> | void][] = [
    ['rules', () => scenarioRules(deps)],
    ['ingest', () => scenarioIngest(deps)],
    ['e2e', () => scenarioEndToEnd({ ...deps, cpuProf, tripline })],
    ['storemix', () => scenarioStoreMix(deps)],
    ['routing', () => scenarioRouting(deps)],
    ['scaleout', () => scenarioScaleOut(deps)],
    ['crash', () => scenarioCrash(deps)],
    ['nodered', () => scenarioNodeRed({ ...deps, tripline })],
    ['canvas', () => scenarioCanvas(deps)],
    ['backfill', () => scenarioBackfill(deps)],
    ['history', async () => void scenarios.push(await scenarioHistory({ quick, say, freshDatabase: db.freshDatabase, startTripline: (n, u) => startTripline(n, u), receiver, apiKey: API_KEY }))],
  ];
  for (const [key, fn] of steps) {
    if (!want(key)) continue;
    say(`scenario ${key}`);
    try {
      await fn();
    } catch (error) {
      say(`scenario ${key} failed: ${(error as Error).stack}`);
      scenarios.push({ key, name: key, parameters: {}, results: { failed: (error as Error).message.slice(0, 500) }, peakRssMb: {} });
    }
  }
} finally {
  await receiver.close();
  await db.stop();
}
const written = writeReport(scenarios, { quick, seconds: Math.round((Date.now() - started) / 1000), only });
say(`done in ${Math.round((Date.now() - started) / 1000)} s → ${written.join(', ')}`);
process.exit(0);
