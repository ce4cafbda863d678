/**
 * Scenario 5: runs/s of one API process with one worker process, then with two, each on a
 * fresh database: the speed-up, and that two workers neither run an event twice nor deliver
 * one under two webhook-ids.
 */
import { waitUntil } from '../lib/load.ts';
import type { Proc } from '../lib/procs.ts';
import { api, publish, round, withDb, type BenchDeps } from '../lib/harness.ts';
import { discount, runsBurst, webhookGraph } from '../lib/workloads.ts';

export async function scenarioScaleOut({ quick, P, say, receiver, freshDatabase, startTripline, report }: BenchDeps) {
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
      await runsBurst(apiProc, url, wfId, quick ? 100 : 500, (id) => discount(id), `warm${workers}`, say);
      receiver.reset();
      const r = await runsBurst(apiProc, url, wfId, P.scaleN, (id) => discount(id), `scale${workers}`, say);
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
  report({
    key: 'scaleout',
    name: '5. Scale-out (1 API + 1 vs 2 worker processes)',
    parameters: { events: P.scaleN, workflow: 'trigger → condition → webhook', poolMaxPerProcess: 20 },
    results: { ...results, speedup: round(two / one) },
    peakRssMb: rss,
  });
}
