/**
 * Scenario 9: a worker SIGKILLed twice in a stream (API + two workers; restarted after the
 * first kill, not after the second): nothing lost, no duplicate run, redelivery only under
 * the same webhook-id, and how long the killed worker's claimed events took to be processed.
 */
import { fixedRate, waitUntil } from '../lib/load.ts';
import type { Proc } from '../lib/procs.ts';
import { api, AUTH, publish, round, withDb, type BenchDeps } from '../lib/harness.ts';
import { discount, webhookGraph } from '../lib/workloads.ts';

export async function scenarioCrash({ quick, say, receiver, freshDatabase, startTripline, report }: BenchDeps) {
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
    if (r.delivered < r.accepted) {
      // Why some never arrived: the state of the deliveries of events the receiver did not get.
      const arrived = [...receiver.arrivals.keys()];
      const { rows } = await withDb(url, (c) =>
        c.query(
          `select e.processed_at is not null as processed, d.status, d.attempt_count, d.lease_until < now() as lease_over, left(d.last_error, 80) as error, r.status as run_status, count(*)::int as n
             from events e left join runs r on r.event_id = e.id left join deliveries d on d.run_id = r.id
            where e.id like 'crash-%' and not (e.id = any($1::text[]))
            group by 1, 2, 3, 4, 5, 6`,
          [arrived],
        ),
      );
      say(`crash: not delivered: ${JSON.stringify(rows)}`);
    }
    const eventsDeliveredUnderTwoIds = [...receiver.arrivals.values()].filter((a) => new Set(a.map((x) => x.webhookId)).size > 1).length;
    say(`crash: lost ${facts.lost}, dup runs ${facts.dupRuns}, claimed at kill ${kills.map((k) => k.held.length).join('/')}, resumed within ${facts.resume.join(' / ')} s, delivered ${r.delivered}/${r.accepted}`);
    report({
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
