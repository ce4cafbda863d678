/**
 * `npm run bench` (add `-- --quick` for a small run of every scenario).
 *
 * Starts a throwaway embedded PostgreSQL (or uses DATABASE_URL), runs Tripline as real
 * child processes (so each one's peak RSS can be read), receives webhooks on loopback in
 * this process, and writes bench/results/latest.md and latest.json.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import pg from 'pg';
import { eventTypes } from '@tripline/shared';
import { startEmbeddedPostgres } from '../server/src/db/embedded-postgres.ts';
import { evaluate } from '../server/src/engine/logic.ts';
import { createLogger } from '../server/src/logger.ts';
import { burst, dist, fixedRate, now, post, startReceiver, waitUntil, type FixedRateResult, type Receiver } from './lib/load.ts';
import { ADMIN, API_KEY, ROOT, startNodeRed, startTripline, type Proc } from './lib/procs.ts';
import { describeProfile, postmasterPidOf, profileStep, type Profile } from './lib/profile.ts';
import { writeReport, type Scenario } from './lib/report.ts';
import { scenarioHistory } from './history/scenario.ts';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
/** `--profile`: CPU split, commits and statements (pg_stat_statements) and latency by stage, per step. */
const profiling = process.argv.includes('--profile');
/** `--cpu-prof`: the e2e process writes a V8 CPU profile (bench/results/cpu/*.cpuprofile) when it stops. */
const cpuProf = process.argv.includes('--cpu-prof') ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.join(ROOT, 'bench/results/cpu')}` } : undefined;
const AUTH = { authorization: `Bearer ${API_KEY}` };
const say = (s: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}`);

const P = quick
  ? { ingestS: 2, e2eS: 1.5, ladder: [50, 200, 500], burstN: 600, routingN: 500, scaleN: 400, ruleS: 0.3, canvasRepeats: 1 }
  : { ingestS: 10, e2eS: 6, ladder: [50, 200, 500, 1000, 1500, 2000, 3000], burstN: 3000, routingN: 3000, scaleN: 2000, ruleS: 1, canvasRepeats: 3 };
const FIXED_RATES = [50, 200, 500];

// ---------------------------------------------------------------- database
let adminUrl: string;
let baseUrl: string;
let stopDb: () => Promise<void> = async () => {};
let pgDataDir: string | undefined;

async function setupDatabase() {
  if (process.env.DATABASE_URL) {
    baseUrl = process.env.DATABASE_URL;
    adminUrl = baseUrl.replace(/\/[^/?]+(\?|$)/, '/postgres$1');
    say(`using DATABASE_URL (one database per scenario is created next to it when allowed)`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tripline-bench-pg-'));
  fs.chmodSync(dir, 0o777);
  let db = await startEmbeddedPostgres(dir, createLogger('warn'));
  pgDataDir = path.join(dir, 'pg');
  if (profiling) {
    // pg_stat_statements must be preloaded: set it, restart, create the extension where the profile reads it.
    await withDb(db.url.replace(/\/tripline$/, '/postgres'), (c) => c.query(`alter system set shared_preload_libraries = 'pg_stat_statements'`));
    await db.stop();
    db = await startEmbeddedPostgres(dir, createLogger('warn'));
    await withDb(db.url.replace(/\/tripline$/, '/postgres'), (c) => c.query(`create extension if not exists pg_stat_statements`));
  }
  baseUrl = db.url;
  adminUrl = db.url.replace(/\/tripline$/, '/postgres');
  stopDb = async () => {
    await db.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  say(`embedded PostgreSQL in ${dir}`);
}

let dbCounter = 0;
/** A fresh database per scenario, so earlier scenarios' rows and jobs do not weigh on later ones. */
async function freshDatabase(name: string): Promise<string> {
  const dbName = `bench_${name}_${process.pid}_${dbCounter++}`;
  const client = new pg.Client(adminUrl);
  try {
    await client.connect();
    await client.query(`create database ${dbName}`);
    return adminUrl.replace(/\/postgres(\?|$)/, `/${dbName}$1`);
  } catch (error) {
    say(`could not create a database (${(error as Error).message}); using DATABASE_URL as is`);
    return baseUrl;
  } finally {
    await client.end().catch(() => {});
  }
}

async function withDb<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Runs a bench step, and with `--profile` measures it (bench/lib/profile.ts) and prints what it found. */
async function measured<T>(label: string, proc: Proc, dbUrl: string, events: (r: T) => number, step: () => Promise<T>): Promise<T & { profile?: Profile }> {
  if (!profiling) return (await step()) as T & { profile?: Profile };
  let result: T | undefined;
  const { profile } = await profileStep(
    { serverPid: proc.child.pid, serverUrl: proc.url, apiKey: API_KEY, postmasterPid: pgDataDir ? postmasterPidOf(pgDataDir) : undefined, adminUrl, dbUrl },
    () => (result === undefined ? 1 : events(result)),
    async () => (result = await step()),
  );
  say(describeProfile(label, profile));
  return { ...(result as T), profile };
}

// ---------------------------------------------------------------- API helpers
async function api<T = any>(proc: Proc, p: string, body?: unknown): Promise<T> {
  const res = await fetch(proc.url + p, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${p} → ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function publish(proc: Proc, name: string, graph: unknown): Promise<string> {
  const created = await api<{ id: string }>(proc, '/api/v1/workflows', { name, graph });
  await api(proc, `/api/v1/workflows/${created.id}/publish`, {});
  return created.id;
}

const discount = (id: string | undefined, amount = 12.5) => ({ ...(id ? { id } : {}), type: 'discount.applied', data: { code: 'BENCH10', customerId: `cus_${id ?? 'x'}`.slice(0, 60), amount, currency: 'EUR' } });
// A store's peak is many customers at once: each event has its own customer (one customer's
// events are applied in order, one after another; `oneCustomer` measures that case alone).
const customerOf = (id: string | undefined) => `cus_${id ?? 'x'}`.slice(0, 60);
const qualified = (id: string | undefined) => ({ ...(id ? { id } : {}), type: 'promotion.rule_qualified', data: { ruleId: 'rule_bench', customerId: customerOf(id) } });
const fulfilment = (id: string | undefined) => ({ ...(id ? { id } : {}), type: 'order.fulfillment_updated', data: { orderId: `o_${id ?? 'x'}`, customerId: customerOf(id), status: 'shipped', carrier: 'DHL' } });
const oneCustomer = (id: string | undefined) => ({ ...(id ? { id } : {}), type: 'order.fulfillment_updated', data: { orderId: 'o1', customerId: 'cus_bench', status: 'shipped', carrier: 'DHL' } });

/** trigger → condition (amount > 5) → webhook, false → stop: the workflow of scenarios 2, 5 and 8. */
const webhookGraph = (endpointId: string) => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'discount.applied' } },
    { id: 'big', type: 'condition', config: { rule: { '>': [{ var: 'data.amount' }, 5] } } },
    { id: 'notify', type: 'webhook', config: { endpointId } },
    { id: 'skip', type: 'stop', config: { reason: 'small discount' } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'big' },
    { id: 'e2', source: 'big', target: 'notify', sourceHandle: 'true' },
    { id: 'e3', source: 'big', target: 'skip', sourceHandle: 'false' },
  ],
});

/** trigger → condition → transform ("set"): the shape n8n's published figure uses. */
const setGraph = (eventType = 'order.fulfillment_updated') => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType } },
    { id: 'shipped', type: 'condition', config: { rule: { '==': [{ var: 'data.status' }, 'shipped'] } } },
    { id: 'set', type: 'transform', config: { fields: { order: '{{data.orderId}}', carrier: '{{data.carrier}}' } } },
    { id: 'skip', type: 'stop', config: { reason: 'not shipped' } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'shipped' },
    { id: 'e2', source: 'shipped', target: 'set', sourceHandle: 'true' },
    { id: 'e3', source: 'shipped', target: 'skip', sourceHandle: 'false' },
  ],
});

/** Sends `n` events in 100-event batches, a few batches in flight. */
async function sendBatched(proc: Proc, n: number, make: (i: number) => unknown, tag: string, concurrency = 4): Promise<number> {
  const batches: string[] = [];
  for (let i = 0; i < n; i += 100) batches.push(JSON.stringify(Array.from({ length: Math.min(100, n - i) }, (_, k) => make(i + k))));
  let next = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const body = batches[next++]!;
        const res = await post(`${proc.url}/api/v1/events`, body, AUTH);
        if (res.status !== 202) {
          errors++;
          say(`${tag}: batch answered ${res.status}: ${res.text.slice(0, 200)}`);
        }
      }
    }),
  );
  return errors;
}

/** Runs/s of a burst: from the first event sent to the last run finished (the engine's sustained rate under a backlog). */
async function runsBurst(proc: Proc, dbUrl: string, workflowId: string, n: number, make: (id: string) => unknown, tag: string) {
  const commits = () => withDb(dbUrl, async (c) => Number((await c.query(`select xact_commit from pg_stat_database where datname = current_database()`)).rows[0].xact_commit));
  const commitsBefore = await commits();
  const t0 = now();
  const sendErrors = await sendBatched(proc, n, (i) => make(`${tag}-${i}`), tag);
  const ingestS = (now() - t0) / 1000;
  const pollDb = new pg.Client(dbUrl);
  await pollDb.connect();
  let done = 0;
  const finished = await waitUntil(async () => {
    const { rows } = await pollDb.query(`select count(*)::int as n from runs where workflow_id = $1 and status in ('succeeded', 'failed') and event_id like $2`, [workflowId, `${tag}-%`]);
    done = rows[0].n;
    return done >= n;
  }, 180_000, 100);
  const seconds = (now() - t0) / 1000;
  const { rows } = await pollDb.query(
    `select extract(epoch from max(finished_at) - min(created_at)) as s, count(*) filter (where status = 'failed')::int as failed
       from runs where workflow_id = $1 and event_id like $2`,
    [workflowId, `${tag}-%`],
  );
  await pollDb.end();
  // Every commit in the database over the burst (ingest, processing, delivery, the bench's own
  // polling, ~10 a second) per finished run: the figure the batching is meant to bring down.
  const commitsPerRun = round(((await commits()) - commitsBefore) / Math.max(1, done));
  return { n, completed: done, finished, sendErrors, ingestSeconds: round(ingestS), seconds: round(seconds), runsPerSecond: Math.round(done / seconds), dbSpanSeconds: round(Number(rows[0].s)), failed: rows[0].failed, commitsPerRun };
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

// ---------------------------------------------------------------- scenarios
const scenarios: Scenario[] = [];
const want = (key: string) => !only || only.includes(key);

async function scenarioIngest() {
  const url = await freshDatabase('ingest');
  const proc = await startTripline('ingest-api', url, { role: 'api' });
  try {
    const run = (opts: object) =>
      new Promise<any>((resolve, reject) =>
        autocannon({ url: `${proc.url}/api/v1/events`, method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, ...opts }, (err: unknown, res: unknown) =>
          err ? reject(err) : resolve(res),
        ),
      );
    const single = JSON.stringify(discount(undefined));
    const batch = JSON.stringify(Array.from({ length: 100 }, () => discount(undefined)));
    await run({ body: single, connections: 16, duration: 1 }); // warm-up
    const s = await run({ body: single, connections: 32, duration: P.ingestS });
    const b = await run({ body: batch, connections: 8, duration: P.ingestS });
    const stored = await withDb(url, async (c) => (await c.query('select count(*)::int as n from events')).rows[0].n as number);
    const summary = (r: any, perRequest: number) => ({
      requestsPerSecondMedian: r.requests.p50,
      requestsPerSecondMean: Math.round(r.requests.average),
      eventsPerSecondMedian: r.requests.p50 * perRequest,
      eventsPerSecondMean: Math.round(r.requests.average * perRequest),
      latencyMs: { p50: r.latency.p50, p97_5: r.latency.p97_5, p99: r.latency.p99, max: r.latency.max },
      responses2xx: r['2xx'],
      non2xx: r.non2xx,
      errors: r.errors,
    });
    scenarios.push({
      key: 'ingest',
      name: '1. Ingest (durable, HTTP)',
      parameters: { tool: 'autocannon', durationS: P.ingestS, singleConnections: 32, batchConnections: 8, batchSize: 100, role: 'api (workers in no process: ingest alone)' },
      results: { single: summary(s, 1), batched: summary(b, 100), eventsStored: stored },
      peakRssMb: { [proc.name]: proc.peakRss() },
    });
  } finally {
    await proc.stop();
  }
}

async function ladder(kind: string, proc: Proc, receiver: Receiver, url: string, make: (id: string) => unknown, rates: number[], dbUrl?: string) {
  const results: FixedRateResult[] = [];
  for (const rate of rates) {
    receiver.reset();
    const once = () => fixedRate({ url, headers: url.includes('/api/v1/') ? AUTH : {}, rate, durationS: P.e2eS, receiver, makeEvent: make, tag: `${kind}-${rate}-${Date.now()}` });
    const r = dbUrl ? await measured(`${kind} @${rate}/s`, proc, dbUrl, (x) => x.accepted, once) : await once();
    say(`${kind} @${rate}/s: p50 ${r.latency.p50} ms, p95 ${r.latency.p95}, p99 ${r.latency.p99}, delivered ${r.delivered}/${r.accepted}, errors ${r.errors}`);
    results.push(r);
    const ok = r.delivered === r.accepted && r.errors === 0 && r.latency.p99 <= 1000 && r.achievedRate >= rate * 0.9;
    if (!ok && rate >= 500) break;
    if (proc.child.exitCode !== null) break;
  }
  const sustained = results.filter((r) => r.delivered === r.accepted && r.errors === 0 && r.latency.p99 <= 1000 && r.achievedRate >= r.rate * 0.9).map((r) => r.rate);
  return { rates: results, highestRateWithP99Under1s: sustained.length ? Math.max(...sustained) : 0, ladderTopReached: sustained.includes(rates.at(-1)!) };
}

let tripWebhookBurst: number | undefined;
let tripE2E: { workflow?: FixedRateResult[] } = {};

async function scenarioEndToEnd(receiver: Receiver) {
  const url = await freshDatabase('e2e');
  const proc = await startTripline('e2e-all', url, { role: 'all', env: cpuProf });
  try {
    const wfEndpoint = await api<{ id: string }>(proc, '/api/v1/endpoints', { url: `${receiver.url}/hook`, eventTypes: [] });
    await api(proc, '/api/v1/endpoints', { url: `${receiver.url}/sub`, eventTypes: ['promotion.rule_qualified'] });
    await publish(proc, 'Big discounts → CRM', webhookGraph(wfEndpoint.id));
    // Warm-up (JIT, connection pools, caches).
    await fixedRate({ url: `${proc.url}/api/v1/events`, headers: AUTH, rate: 100, durationS: quick ? 1 : 2, receiver, makeEvent: (id) => discount(id), tag: 'warm', waitMs: 10_000 });
    await fixedRate({ url: `${proc.url}/api/v1/events`, headers: AUTH, rate: 100, durationS: 1, receiver, makeEvent: (id) => qualified(id), tag: 'warm2', waitMs: 10_000 });
    const rates = quick ? FIXED_RATES : P.ladder;
    const workflow = await ladder('workflow', proc, receiver, `${proc.url}/api/v1/events`, (id) => discount(id), rates, url);
    const subscription = await ladder('subscription', proc, receiver, `${proc.url}/api/v1/events`, (id) => qualified(id), rates, url);
    tripE2E = { workflow: workflow.rates };
    scenarios.push({
      key: 'e2e',
      name: '2. End to end (202 → signed webhook received)',
      parameters: { durationPerRateS: P.e2eS, rates, process: 'one process, TRIPLINE_ROLE=all', workflow: 'trigger → condition → webhook', subscription: 'endpoint subscribed to promotion.rule_qualified' },
      results: { workflow, subscription },
      peakRssMb: { [proc.name]: proc.peakRss() },
    });

    // 3. Runs/s with the same process: a "set" workflow (n8n's shape) and the webhook workflow.
    const setId = await publish(proc, 'Shipped → set', setGraph());
    const wfId = (await withDb(url, (c) => c.query(`select workflow_id from workflow_triggers where event_type = 'discount.applied'`))).rows[0].workflow_id as string;
    await runsBurst(proc, url, setId, quick ? 200 : 500, fulfilment, 'warmset');
    const set = await measured('burst set', proc, url, (x) => x.completed, () => runsBurst(proc, url, setId, P.burstN, fulfilment, 'set'));
    say(`runs/s (set): ${set.runsPerSecond}`);
    const single = await measured('burst one customer', proc, url, (x) => x.completed, () => runsBurst(proc, url, setId, quick ? 200 : 500, oneCustomer, 'onecustomer'));
    say(`runs/s (set, one customer's events in order): ${single.runsPerSecond}`);
    if (profiling) {
      // Claims per event: more than one means an event was retried or given back (its subject blocked).
      const claims = (await withDb(url, (c) => c.query(`select count(*) filter (where attempts > 1)::int as retried, max(attempts)::int as most, max(last_error) as error from events where id like 'onecustomer-%'`))).rows[0];
      say(`  one customer: ${claims.retried} events claimed more than once (most ${claims.most} claims); last error: ${claims.error ?? 'none'}`);
    }
    receiver.reset();
    const hook = await measured('burst webhook', proc, url, (x) => x.completed, () => runsBurst(proc, url, wfId, P.burstN, (id) => discount(id), 'hookburst'));
    const delivered = receiver.arrivals.size;
    tripWebhookBurst = hook.runsPerSecond;
    say(`runs/s (webhook): ${hook.runsPerSecond}, delivered ${delivered}`);
    scenarios.push({
      key: 'runs',
      name: '3. Workflow runs/s (burst backlog, one process)',
      parameters: { events: P.burstN, ingest: '100-event batches, 4 in flight', process: 'one process, TRIPLINE_ROLE=all' },
      results: { set, single, webhook: { ...hook, webhooksReceived: delivered } },
      peakRssMb: { [proc.name]: proc.peakRss() },
    });
  } finally {
    await proc.stop();
  }
}

async function insertOtherWorkflows(url: string, from: number, to: number) {
  const others = eventTypes.filter((t) => t !== 'order.fulfillment_updated');
  await withDb(url, async (c) => {
    await c.query('begin');
    await c.query(
      `insert into workflows (id, name, draft, published_version) select 'wf_other_' || g, 'Other ' || g, jsonb_build_object('nodes', '[]'::jsonb, 'edges', '[]'::jsonb), 1 from generate_series($1::int, $2::int) g`,
      [from, to],
    );
    await c.query(
      `insert into workflow_versions (workflow_id, version, graph)
       select 'wf_other_' || g, 1, jsonb_build_object(
         'nodes', jsonb_build_array(jsonb_build_object('id', 'trigger', 'type', 'trigger', 'config', jsonb_build_object('eventType', ($3::text[])[1 + g % array_length($3::text[], 1)])),
                                    jsonb_build_object('id', 'end', 'type', 'stop', 'config', '{}'::jsonb)),
         'edges', jsonb_build_array(jsonb_build_object('id', 'e1', 'source', 'trigger', 'target', 'end')))
       from generate_series($1::int, $2::int) g`,
      [from, to, others],
    );
    await c.query(
      `insert into workflow_triggers (workflow_id, version, event_type, config)
       select 'wf_other_' || g, 1, ($3::text[])[1 + g % array_length($3::text[], 1)], jsonb_build_object('eventType', ($3::text[])[1 + g % array_length($3::text[], 1)])
       from generate_series($1::int, $2::int) g`,
      [from, to, others],
    );
    await c.query('commit');
    await c.query('analyze workflow_triggers');
  });
}

async function scenarioRouting() {
  const url = await freshDatabase('routing');
  const proc = await startTripline('routing-all', url, { role: 'all' });
  try {
    const setId = await publish(proc, 'Shipped → set', setGraph());
    await insertOtherWorkflows(url, 1, 10);
    await runsBurst(proc, url, setId, quick ? 200 : 500, fulfilment, 'warm');
    const few = await runsBurst(proc, url, setId, P.routingN, fulfilment, 'r10');
    await insertOtherWorkflows(url, 11, 10_000);
    await runsBurst(proc, url, setId, 300, fulfilment, 'warm2');
    const many = await runsBurst(proc, url, setId, P.routingN, fulfilment, 'r10000');
    const ratio = round(many.runsPerSecond / few.runsPerSecond);
    say(`routing: ${few.runsPerSecond} vs ${many.runsPerSecond} runs/s, ratio ${ratio}`);
    scenarios.push({
      key: 'routing',
      name: '4. Routing scale (10 vs 10,000 other published workflows)',
      parameters: { events: P.routingN, otherWorkflows: [10, 10_000], measuredWorkflow: 'trigger → condition → transform', otherWorkflowsListenTo: 'every other event type' },
      results: { with10: few, with10000: many, ratio },
      peakRssMb: { [proc.name]: proc.peakRss() },
    });
  } finally {
    await proc.stop();
  }
}

async function scenarioScaleOut(receiver: Receiver) {
  const results: Record<string, unknown> = {};
  const rss: Record<string, number | undefined> = {};
  for (const workers of [1, 2]) {
    const url = await freshDatabase(`scale${workers}`);
    const apiProc = await startTripline(`scale${workers}-api`, url, { role: 'api' });
    const procs: Proc[] = [apiProc];
    try {
      for (let w = 0; w < workers; w++) {
        const before = await withDb(url, async (c) => (await c.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'tripline-queue'`)).rows[0].n as number);
        const ready = () => withDb(url, async (c) => (await c.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'tripline-queue'`)).rows[0].n > before);
        procs.push(await startTripline(`scale${workers}-worker${w + 1}`, url, { role: 'worker', ready }));
      }
      const endpoint = await api<{ id: string }>(apiProc, '/api/v1/endpoints', { url: `${receiver.url}/hook`, eventTypes: [] });
      const wfId = await publish(apiProc, 'Big discounts → CRM', webhookGraph(endpoint.id));
      receiver.reset();
      await runsBurst(apiProc, url, wfId, quick ? 100 : 500, (id) => discount(id), `warm${workers}`);
      receiver.reset();
      const r = await runsBurst(apiProc, url, wfId, P.scaleN, (id) => discount(id), `scale${workers}`);
      await waitUntil(() => receiver.arrivals.size >= P.scaleN, 15_000);
      const duplicateDeliveries = [...receiver.byWebhookId.values()].filter((n) => n > 1).length;
      const eventsDeliveredTwice = [...receiver.arrivals.values()].filter((a) => new Set(a.map((x) => x.webhookId)).size > 1).length;
      const dupRuns = await withDb(url, async (c) => (await c.query(`select count(*)::int as n from (select 1 from runs group by workflow_id, event_id having count(*) > 1) d`)).rows[0].n as number);
      results[`workers${workers}`] = { ...r, webhooksReceived: receiver.arrivals.size, duplicateWebhookIds: duplicateDeliveries, eventsDeliveredUnderTwoIds: eventsDeliveredTwice, duplicateRuns: dupRuns };
      for (const p of procs) rss[p.name] = p.peakRss();
      say(`scale-out ${workers} worker(s): ${r.runsPerSecond} runs/s, dup runs ${dupRuns}, dup webhook ids ${duplicateDeliveries}`);
    } finally {
      for (const p of procs.reverse()) await p.stop();
    }
  }
  const one = (results.workers1 as { runsPerSecond: number }).runsPerSecond;
  const two = (results.workers2 as { runsPerSecond: number }).runsPerSecond;
  scenarios.push({
    key: 'scaleout',
    name: '5. Scale-out (1 API + 1 vs 2 worker processes)',
    parameters: { events: P.scaleN, workflow: 'trigger → condition → webhook', poolMaxPerProcess: 20 },
    results: { ...results, speedup: round(two / one) },
    peakRssMb: rss,
  });
}

/**
 * A worker SIGKILLed twice in a stream (API + two workers; restarted after the first kill,
 * not after the second): nothing lost, no duplicate run, redelivery only under the same
 * webhook-id, and how long the killed worker's claimed events took to be processed.
 */
async function scenarioCrash(receiver: Receiver) {
  const url = await freshDatabase('crash');
  const apiProc = await startTripline('crash-api', url, { role: 'api' });
  const queueClients = () => withDb(url, async (c) => (await c.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'tripline-queue'`)).rows[0].n as number);
  const startWorker = async (name: string) => {
    const before = await queueClients();
    return startTripline(name, url, { role: 'worker', ready: async () => (await queueClients()) > before });
  };
  const workers: Proc[] = [await startWorker('crash-worker1'), await startWorker('crash-worker2')];
  const procs: Proc[] = [apiProc, ...workers];
  try {
    const endpoint = await api<{ id: string }>(apiProc, '/api/v1/endpoints', { url: `${receiver.url}/hook`, eventTypes: [] });
    await publish(apiProc, 'Big discounts → CRM', webhookGraph(endpoint.id));
    receiver.reset();
    const rate = 200;
    const durationS = quick ? 8 : 20;
    const stream = fixedRate({ url: `${apiProc.url}/api/v1/events`, headers: AUTH, rate, durationS, receiver, makeEvent: (id) => discount(id), tag: `crash-${Date.now()}`, waitMs: 90_000 });
    const kills: { atMs: number; held: string[]; killedAt: Date }[] = [];
    for (const at of [0.3, 0.65]) {
      await new Promise((r) => setTimeout(r, (at * durationS * 1000) - (kills.length ? 0.3 * durationS * 1000 : 0)));
      const victim = workers[0]!;
      victim.child.kill('SIGKILL');
      await victim.stop();
      const { rows } = await withDb(url, (c) => c.query(`select now() as now, coalesce(array_agg(id), '{}') as ids from events where processed_at is null and lease_until > now()`));
      kills.push({ atMs: Math.round(at * durationS * 1000), held: rows[0].ids, killedAt: rows[0].now });
      if (kills.length === 1) {
        workers[0] = await startWorker('crash-worker1b');
        procs.push(workers[0]);
      }
    }
    const r = await stream;
    await waitUntil(async () => (await withDb(url, (c) => c.query(`select count(*)::int as n from events where processed_at is null`))).rows[0].n === 0, 60_000, 200);
    const facts = await withDb(url, async (c) => {
      const lost = (await c.query(`select count(*)::int as n from events where processed_at is null`)).rows[0].n as number;
      const dupRuns = (await c.query(`select count(*)::int as n from (select 1 from runs group by workflow_id, event_id having count(*) > 1) d`)).rows[0].n as number;
      const resume: (number | null)[] = [];
      for (const k of kills) {
        const { rows } = await c.query(`select extract(epoch from max(processed_at) - $2::timestamptz) as s from events where id = any($1)`, [k.held, k.killedAt]);
        resume.push(rows[0].s === null ? null : round(Number(rows[0].s)));
      }
      return { lost, dupRuns, resume };
    });
    const eventsDeliveredUnderTwoIds = [...receiver.arrivals.values()].filter((a) => new Set(a.map((x) => x.webhookId)).size > 1).length;
    say(`crash: lost ${facts.lost}, dup runs ${facts.dupRuns}, claimed at kill ${kills.map((k) => k.held.length).join('/')}, resumed within ${facts.resume.join(' / ')} s, delivered ${r.delivered}/${r.accepted}`);
    scenarios.push({
      key: 'crash',
      name: '9. A worker SIGKILLed twice in a stream (API + 2 workers)',
      parameters: { rate, durationS, killsAtMs: kills.map((k) => k.atMs), leaseSeconds: 10, workflow: 'trigger → condition → webhook' },
      results: {
        accepted: r.accepted,
        delivered: r.delivered,
        lostEvents: facts.lost,
        duplicateRuns: facts.dupRuns,
        eventsDeliveredUnderTwoIds,
        claimedByTheKilledWorker: kills.map((k) => k.held.length),
        resumedWithinSeconds: facts.resume,
        latency: r.latency,
      },
      peakRssMb: Object.fromEntries(procs.map((p) => [p.name, p.peakRss()])),
    });
  } finally {
    for (const p of procs.reverse()) await p.stop();
  }
}

function scenarioRules() {
  const event = { id: 'evt_1', type: 'discount.applied', subject: 'cus_42', data: { code: 'WELCOME10', customerId: 'cus_42', amount: 12.99, currency: 'EUR', tags: ['vip', 'eu'] }, vars: {}, customer: { ltv: 620, tier: 'gold', segments: ['vip'] } };
  const rules: Record<string, unknown> = {
    small: { '>': [{ var: 'data.amount' }, 5] },
    and3: { and: [{ '>': [{ var: 'data.amount' }, 5] }, { '==': [{ var: 'data.currency' }, 'EUR'] }, { in: ['vip', { var: 'customer.segments' }] }] },
    nested: { or: [{ and: [{ '>=': [{ var: 'customer.ltv' }, 500] }, { '!': { in: ['wholesale', { var: 'customer.segments' }] } }] }, { '==': [{ var: 'data.code' }, 'VIP'] }, { '<': [{ var: 'data.amount' }, 0] }] },
  };
  const out: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(rules)) {
    const samples: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      let n = 0;
      const end = now() + P.ruleS * 1000;
      while (now() < end) {
        for (let k = 0; k < 1000; k++) evaluate(rule, event);
        n += 1000;
      }
      samples.push(n / P.ruleS);
    }
    samples.sort((a, b) => a - b);
    out[name] = { rule, evaluationsPerSecondMedian: Math.round(samples[1]!) };
  }
  scenarios.push({ key: 'rules', name: '6. Rule evaluation (json-logic, in process)', parameters: { secondsPerSample: P.ruleS, samples: 3 }, results: out, peakRssMb: { bench: Math.round(process.memoryUsage().rss / 2 ** 20) } });
}

async function scenarioCanvas() {
  const skip = (reason: string) => {
    say(`canvas skipped: ${reason}`);
    scenarios.push({ key: 'canvas', name: '7. Canvas: open a 500-node workflow', parameters: { nodes: 500 }, results: { skipped: reason }, peakRssMb: {} });
  };
  if (!fs.existsSync('/usr/bin/chromium')) return skip('no Chromium at /usr/bin/chromium');
  const webDist = path.join(os.tmpdir(), 'tripline-bench-web');
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', webDist, '--emptyOutDir', '--logLevel', 'error'], { cwd: path.join(ROOT, 'web'), stdio: 'pipe', timeout: 120_000 });
  } catch (error) {
    return skip(`the web UI does not build right now: ${String((error as { stderr?: Buffer }).stderr ?? error).slice(0, 300)}`);
  }
  const url = await freshDatabase('canvas');
  const proc = await startTripline('canvas-all', url, { role: 'all', env: { TRIPLINE_WEB_DIST: webDist } });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const nodes = [{ id: 'trigger', type: 'trigger', config: { eventType: 'order.created' }, position: { x: 0, y: 0 } }];
    const edges = [];
    for (let i = 1; i < 500; i++) {
      nodes.push({ id: `n${i}`, type: 'transform', config: { fields: { [`f${i}`]: `{{data.orderId}}` } } as never, position: { x: (i % 20) * 260, y: Math.floor(i / 20) * 140 } });
      edges.push({ id: `e${i}`, source: i === 1 ? 'trigger' : `n${i - 1}`, target: `n${i}` });
    }
    const wf = await api<{ id: string }>(proc, '/api/v1/workflows', { name: 'Five hundred nodes', graph: { nodes, edges } });
    const times: number[] = [];
    const clicks: number[] = [];
    for (let rep = 0; rep < P.canvasRepeats; rep++) {
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
      const page = await context.newPage();
      const login = await page.request.post(`${proc.url}/api/v1/auth/login`, { data: { email: ADMIN.email, password: ADMIN.password } });
      if (login.status() !== 200) {
        await context.close();
        return skip(`sign-in answered ${login.status()}`);
      }
      const t0 = now();
      await page.goto(`${proc.url}/workflows/${wf.id}`);
      const rendered = await page
        .waitForFunction(() => document.querySelectorAll('.react-flow__node').length >= 500, undefined, { timeout: 60_000, polling: 'raf' })
        .then(() => true)
        .catch(() => false);
      if (!rendered) {
        const count = await page.locator('.react-flow__node').count();
        await context.close();
        return skip(`the editor at /workflows/:id rendered ${count} of 500 nodes within 60 s (the canvas may not be finished)`);
      }
      times.push(now() - t0);
      // Interactive: a click on a node selects it.
      const t1 = now();
      await page.locator('.react-flow__node').first().click({ timeout: 10_000 }).catch(() => {});
      const selected = await page.waitForSelector('.react-flow__node.selected', { timeout: 10_000 }).then(() => true).catch(() => false);
      if (selected) clicks.push(now() - t1);
      await context.close();
    }
    scenarios.push({
      key: 'canvas',
      name: '7. Canvas: open a 500-node workflow',
      parameters: { nodes: 500, edges: 499, repeats: P.canvasRepeats, browser: 'Chromium (headless, --disable-gpu)', measure: 'navigation to /workflows/:id until 500 .react-flow__node elements exist' },
      results: { openMs: dist(times), clickToSelectedMs: clicks.length ? dist(clicks) : 'no .selected class after a click' },
      peakRssMb: { [proc.name]: proc.peakRss() },
    });
  } finally {
    await browser.close();
    await proc.stop();
  }
}

async function scenarioNodeRed(receiver: Receiver) {
  let nr: Proc;
  try {
    nr = await startNodeRed(`${receiver.url}/nr`, say);
  } catch (error) {
    scenarios.push({ key: 'nodered', name: '8. Node-RED side by side', parameters: {}, results: { skipped: (error as Error).message.slice(0, 300) }, peakRssMb: {} });
    return;
  }
  try {
    await fixedRate({ url: `${nr.url}/events`, rate: 100, durationS: 2, receiver, makeEvent: (id) => discount(id), tag: 'nrwarm', waitMs: 10_000 });
    const rates = quick ? FIXED_RATES : P.ladder;
    const l = await ladder('node-red', nr, receiver, `${nr.url}/events`, (id) => discount(id), rates);
    receiver.reset();
    const t0 = now();
    const b = await burst({ url: `${nr.url}/events`, count: P.burstN, concurrency: 32, body: (i) => JSON.stringify(discount(`nrb-${i}`)) });
    await waitUntil(() => receiver.arrivals.size >= P.burstN - b.errors, 120_000, 20);
    const seconds = (now() - t0) / 1000;
    const nrBurst = Math.round(receiver.arrivals.size / seconds);
    say(`node-red burst: ${nrBurst}/s`);
    const ratios: Record<string, unknown> = {};
    for (const r of l.rates) {
      const t = tripE2E.workflow?.find((x) => x.rate === r.rate);
      if (t) ratios[`at${r.rate}`] = { p50: round(t.latency.p50 / r.latency.p50), p99: round(t.latency.p99 / r.latency.p99) };
    }
    scenarios.push({
      key: 'nodered',
      name: '8. Node-RED side by side (http in → switch → http request)',
      parameters: { version: readNodeRedVersion(), rates, burst: P.burstN, burstConcurrency: 32, note: 'Node-RED answers 202 before doing anything and keeps nothing durable: a crash loses every event in flight; it signs nothing.' },
      results: {
        latency: l,
        burst: { events: P.burstN, seconds: round(seconds), runsPerSecond: nrBurst, errors: b.errors },
        tripline_over_nodered: { latency: ratios, runsPerSecond: tripWebhookBurst ? round(tripWebhookBurst / nrBurst) : null },
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

// ---------------------------------------------------------------- main
const started = Date.now();
await setupDatabase();
const receiver = await startReceiver();
try {
  const steps: [string, () => Promise<void> | void][] = [
    ['rules', scenarioRules],
    ['ingest', scenarioIngest],
    ['e2e', () => scenarioEndToEnd(receiver)],
    ['routing', scenarioRouting],
    ['scaleout', () => scenarioScaleOut(receiver)],
    ['crash', () => scenarioCrash(receiver)],
    ['nodered', () => scenarioNodeRed(receiver)],
    ['canvas', scenarioCanvas],
    ['history', async () => void scenarios.push(await scenarioHistory({ quick, say, freshDatabase, startTripline: (n, u) => startTripline(n, u), receiver, apiKey: API_KEY }))],
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
  await stopDb();
}
const written = writeReport(scenarios, { quick, seconds: Math.round((Date.now() - started) / 1000), only });
say(`done in ${Math.round((Date.now() - started) / 1000)} s → ${written.join(', ')}`);
process.exit(0);
