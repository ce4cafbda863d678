/**
 * Ingest under load with the workers running, shared by the store mix's Tripline pass and its
 * floors (bench/scenarios/store-mix*.ts).
 */
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { round, type BenchDeps } from './harness.ts';
import { waitUntil } from './load.ts';

export interface IngestFigures {
  requestsPerSecondMedian: number;
  requestsPerSecondMean: number;
  latencyMs: { p50: number; p99: number; max: number };
  responses2xx: number;
  non2xx: number;
  errors: number;
  /** Seconds from the end of the ingest until every accepted event had reached the receiver (null: not within the wait). */
  drainedAfterS: number | null;
}

/**
 * Single-event ingest (autocannon, 32 connections, a new event id each request) into a
 * process whose workers deliver what comes in: requests/s with processing running, as a
 * store's peak would meet it. Then waits for every accepted event to reach the receiver.
 */
export async function ingestWhileProcessing(deps: BenchDeps, url: string, headers: Record<string, string>, make: (id: string) => unknown, tag: string): Promise<IngestFigures> {
  const { P, receiver, quick } = deps;
  receiver.reset();
  let next = 0;
  const r = await new Promise<any>((resolve, reject) =>
    autocannon(
      {
        url,
        connections: 32,
        duration: P.ingestS,
        requests: [{ method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, setupRequest: (req: object) => ({ ...req, body: JSON.stringify(make(`${tag}-${next++}`)) }) }],
      },
      (err: unknown, res: unknown) => (err ? reject(err) : resolve(res)),
    ),
  );
  const accepted = r['2xx'] as number;
  const t0 = Date.now();
  // Every accepted event is delivered (the store mix's subscription takes them all): wait for the backlog to drain, so the next pass starts clean.
  // (Derived events, such as a stock threshold crossed, arrive under their own ids: count the ingested ones only.)
  const arrived = () => {
    let n = 0;
    for (const id of receiver.arrivals.keys()) if (id.startsWith(`${tag}-`)) n++;
    return n;
  };
  const drained = await waitUntil(() => arrived() >= accepted, quick ? 30_000 : 120_000, 100);
  return {
    requestsPerSecondMedian: r.requests.p50,
    requestsPerSecondMean: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    responses2xx: accepted,
    non2xx: r.non2xx,
    errors: r.errors,
    drainedAfterS: drained ? round((Date.now() - t0) / 1000, 1) : null,
  };
}
