/**
 * Scenario 1: how fast the API accepts events durably, single and in 100-event batches,
 * with the process in the "api" role so no worker competes with ingest.
 */
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { AUTH, withDb, type BenchDeps } from '../lib/harness.ts';
import { discount } from '../lib/workloads.ts';

export async function scenarioIngest({ P, freshDatabase, startTripline, report }: BenchDeps) {
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
    report({
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
