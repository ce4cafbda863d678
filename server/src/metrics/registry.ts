import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics kept on the hot path: each process counts what it does, as it does
 * it, and a scrape only formats the figures (no counting over whole tables). Prometheus
 * sums the processes (`sum by (outcome) (rate(...))`); a restarted process starts from
 * zero, which `rate()` expects of a counter. One registry per process (module scope):
 * the engine, delivery and ingestion call the named functions below.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'tripline_process_' });

/** Latency buckets, in seconds (Prometheus convention): from a local receiver's 2 ms to a retry hours later. */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DELIVERED_BUCKETS_SECONDS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 36000];

const eventsAccepted = new Counter({
  name: 'tripline_events_ingested_total',
  help: 'Events accepted (answered 202 or raised by Tripline), by type',
  labelNames: ['type'] as const,
  registers: [metricsRegistry],
});

const runs = new Counter({
  name: 'tripline_runs_total',
  help: 'Workflow runs that reached a status (started, succeeded, failed, cancelled), by status',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
});

const attempts = new Counter({
  name: 'tripline_delivery_attempts_total',
  help: 'Webhook delivery attempts, by outcome',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

const attemptDuration = new Histogram({
  name: 'tripline_delivery_duration_seconds',
  help: 'Duration of webhook delivery attempts (request sent to response read)',
  buckets: LATENCY_BUCKETS_SECONDS,
  registers: [metricsRegistry],
});

const acceptedToDelivered = new Histogram({
  name: 'tripline_delivery_accepted_to_delivered_seconds',
  help: 'From the event being accepted to its delivery succeeding (retries included)',
  buckets: DELIVERED_BUCKETS_SECONDS,
  registers: [metricsRegistry],
});

for (const outcome of ['succeeded', 'failed']) attempts.inc({ outcome }, 0);
for (const status of ['started', 'succeeded', 'failed', 'cancelled']) runs.inc({ status }, 0);

export function countEventsAccepted(type: string, n = 1): void {
  eventsAccepted.inc({ type }, n);
}

export function countRun(status: 'started' | 'succeeded' | 'failed' | 'cancelled', n = 1): void {
  runs.inc({ status }, n);
}

export function countDeliveryAttempt(outcome: 'succeeded' | 'failed', durationMs: number): void {
  attempts.inc({ outcome });
  attemptDuration.observe(durationMs / 1000);
}

export function observeAcceptedToDelivered(acceptedAt: Date, deliveredAt = Date.now()): void {
  acceptedToDelivered.observe(Math.max(0, deliveredAt - acceptedAt.getTime()) / 1000);
}

/**
 * Where a run's latency goes: how long after its event was received (the request's arrival
 * at ingest) each hot-path stage was reached. Differences between stages' medians are the
 * stage costs (bench/lib/profile.ts prints them). Fine buckets around the 20 ms target.
 */
export const hotPathStages = ['stored', 'claimed', 'processed', 'delivery_claimed', 'delivery_sent', 'delivery_recorded'] as const;
export type HotPathStage = (typeof hotPathStages)[number];
const HOT_PATH_BUCKETS_SECONDS = [0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30];

const hotPath = new Histogram({
  name: 'tripline_hot_path_seconds',
  help: 'Time from an event being received to each hot-path stage (stored, claimed, processed, delivery claimed, sent, recorded)',
  labelNames: ['stage'] as const,
  buckets: HOT_PATH_BUCKETS_SECONDS,
  registers: [metricsRegistry],
});

/** `receivedAt`: an ISO string (envelope) or a Date (delivery row); missing ones are skipped. */
export function observeHotPath(stage: HotPathStage, receivedAt: string | Date | null | undefined, at = Date.now()): void {
  if (!receivedAt) return;
  const t = typeof receivedAt === 'string' ? Date.parse(receivedAt) : receivedAt.getTime();
  if (Number.isFinite(t)) hotPath.observe({ stage }, Math.max(0, at - t) / 1000);
}
