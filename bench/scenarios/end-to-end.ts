/**
 * Scenarios 2 and 3 on one process (TRIPLINE_ROLE=all): latency from 202 to the signed
 * webhook received, up a ladder of fixed rates, then runs/s of a burst backlog. The ladder
 * is shared with the Node-RED scenario, which also compares itself with the figures this
 * one leaves in `tripline`.
 */
import { fixedRate, type FixedRateResult, type Receiver } from '../lib/load.ts';
import type { Proc } from '../lib/procs.ts';
import { api, AUTH, FIXED_RATES, publish, withDb, type BenchDeps, type Say } from '../lib/harness.ts';
import { discount, fulfilment, oneCustomer, qualified, runsBurst, setGraph, webhookGraph } from '../lib/workloads.ts';

/** Tripline's figures the Node-RED scenario sets itself against (left empty when e2e is not run). */
export interface TriplineFigures {
  workflowRates?: FixedRateResult[];
  webhookBurst?: number;
}

export interface LadderDeps {
  e2eS: number;
  say: Say;
  measured: BenchDeps['measured'];
}

/** Fixed rates one after another, stopping above 500/s once a rate is not sustained (p99 ≤ 1 s, all delivered). */
export async function ladder(deps: LadderDeps, kind: string, proc: Proc, receiver: Receiver, url: string, make: (id: string) => unknown, rates: number[], dbUrl?: string) {
  const results: FixedRateResult[] = [];
  for (const rate of rates) {
    receiver.reset();
    const once = () => fixedRate({ url, headers: url.includes('/api/v1/') ? AUTH : {}, rate, durationS: deps.e2eS, receiver, makeEvent: make, tag: `${kind}-${rate}-${Date.now()}` });
    const r = dbUrl ? await deps.measured(`${kind} @${rate}/s`, proc, dbUrl, (x) => x.accepted, once) : await once();
    deps.say(`${kind} @${rate}/s: p50 ${r.latency.p50} ms, p95 ${r.latency.p95}, p99 ${r.latency.p99}, delivered ${r.delivered}/${r.accepted}, errors ${r.errors}`);
    results.push(r);
    const ok = r.delivered === r.accepted && r.errors === 0 && r.latency.p99 <= 1000 && r.achievedRate >= rate * 0.9;
    if (!ok && rate >= 500) break;
    if (proc.child.exitCode !== null) break;
  }
  const sustained = results.filter((r) => r.delivered === r.accepted && r.errors === 0 && r.latency.p99 <= 1000 && r.achievedRate >= r.rate * 0.9).map((r) => r.rate);
  return { rates: results, highestRateWithP99Under1s: sustained.length ? Math.max(...sustained) : 0, ladderTopReached: sustained.includes(rates.at(-1)!) };
}

export async function scenarioEndToEnd(deps: BenchDeps & { cpuProf?: Record<string, string>; tripline: TriplineFigures }) {
  const { quick, P, profiling, say, receiver, freshDatabase, measured, startTripline, report, tripline } = deps;
  const ladderDeps = { e2eS: P.e2eS, say, measured };
  const url = await freshDatabase('e2e');
  const proc = await startTripline('e2e-all', url, { role: 'all', env: deps.cpuProf });
  try {
    const wfEndpoint = await api<{ id: string }>(proc, '/api/v1/endpoints', { url: `${receiver.url}/hook`, eventTypes: [] });
    await api(proc, '/api/v1/endpoints', { url: `${receiver.url}/sub`, eventTypes: ['promotion.rule_qualified'] });
    await publish(proc, 'Big discounts → CRM', webhookGraph(wfEndpoint.id));
    // Warm-up (JIT, connection pools, caches).
    await fixedRate({ url: `${proc.url}/api/v1/events`, headers: AUTH, rate: 100, durationS: quick ? 1 : 2, receiver, makeEvent: (id) => discount(id), tag: 'warm', waitMs: 10_000 });
    await fixedRate({ url: `${proc.url}/api/v1/events`, headers: AUTH, rate: 100, durationS: 1, receiver, makeEvent: (id) => qualified(id), tag: 'warm2', waitMs: 10_000 });
    const rates = quick ? FIXED_RATES : P.ladder;
    const workflow = await ladder(ladderDeps, 'workflow', proc, receiver, `${proc.url}/api/v1/events`, (id) => discount(id), rates, url);
    const subscription = await ladder(ladderDeps, 'subscription', proc, receiver, `${proc.url}/api/v1/events`, (id) => qualified(id), rates, url);
    tripline.workflowRates = workflow.rates;
    report({
      key: 'e2e',
      name: '2. End to end (202 → signed webhook received)',
      parameters: { durationPerRateS: P.e2eS, rates, process: 'one process, TRIPLINE_ROLE=all', workflow: 'trigger → condition → webhook', subscription: 'endpoint subscribed to promotion.rule_qualified' },
      results: { workflow, subscription },
      peakRssMb: { [proc.name]: proc.peakRss() },
    });

    // 3. Runs/s with the same process: a "set" workflow (n8n's shape) and the webhook workflow.
    const setId = await publish(proc, 'Shipped → set', setGraph());
    const wfId = (await withDb(url, (c) => c.query(`select workflow_id from workflow_triggers where event_type = 'discount.applied'`))).rows[0].workflow_id as string;
    await runsBurst(proc, url, setId, quick ? 200 : 500, fulfilment, 'warmset', say);
    const set = await measured('burst set', proc, url, (x) => x.completed, () => runsBurst(proc, url, setId, P.burstN, fulfilment, 'set', say));
    say(`runs/s (set): ${set.runsPerSecond}`);
    const single = await measured('burst one customer', proc, url, (x) => x.completed, () => runsBurst(proc, url, setId, quick ? 200 : 500, oneCustomer, 'onecustomer', say));
    say(`runs/s (set, one customer's events in order): ${single.runsPerSecond}`);
    if (profiling) {
      // Claims per event: more than one means an event was retried or given back (its subject blocked).
      const claims = (await withDb(url, (c) => c.query(`select count(*) filter (where attempts > 1)::int as retried, max(attempts)::int as most, max(last_error) as error from events where id like 'onecustomer-%'`))).rows[0];
      say(`  one customer: ${claims.retried} events claimed more than once (most ${claims.most} claims); last error: ${claims.error ?? 'none'}`);
    }
    receiver.reset();
    const hook = await measured('burst webhook', proc, url, (x) => x.completed, () => runsBurst(proc, url, wfId, P.burstN, (id) => discount(id), 'hookburst', say));
    const delivered = receiver.arrivals.size;
    tripline.webhookBurst = hook.runsPerSecond;
    say(`runs/s (webhook): ${hook.runsPerSecond}, delivered ${delivered}`);
    report({
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
