import { Router } from 'express';
import type { PgBoss } from 'pg-boss';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Pool } from '../db/pool.ts';
import type { AppContext } from '../context.ts';
import { describeRoute } from '../http/openapi.ts';
import { queues } from '../queue/queues.ts';
import { requireScrapeAccess } from './metrics-access.ts';

/** Delivery latency buckets, in seconds (Prometheus convention). */
export const LATENCY_BUCKETS_SECONDS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Snapshot {
  eventsByType: Map<string, number>;
  runsByStatus: Map<string, number>;
  attemptsByOutcome: Map<string, number>;
  latency: { buckets: number[]; sum: number; count: number };
  queues: { name: string; ready: number; queued: number; deferred: number; active: number; failed: number }[];
}

type Sample = { labels?: Record<string, string | number>; value: number; metricName?: string };

/** A metric whose values come from the per-scrape snapshot; prom-client only formats it. */
function snapshotMetric(name: string, help: string, type: 'counter' | 'gauge' | 'histogram', snapshot: () => Promise<Snapshot>, values: (s: Snapshot) => Sample[]) {
  return {
    name,
    help,
    type,
    aggregator: 'sum',
    async get() {
      return { name, help, type, aggregator: 'sum', values: values(await snapshot()) };
    },
  };
}

/**
 * Prometheus metrics computed from the database at scrape time, so N API and M worker
 * processes report the same, complete figures whichever one is scraped. Counters are rows
 * still stored plus what retention already deleted (metric_baselines), so they never go
 * down. Process metrics (memory, event loop) are this process's own.
 */
export function createMetricsRegistry(pool: Pool, boss: PgBoss): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tripline_process_' });

  // One snapshot per scrape, shared by every metric of that scrape.
  let current: { at: number; promise: Promise<Snapshot> } | undefined;
  const snapshot = () => {
    if (!current || Date.now() - current.at > 1000) current = { at: Date.now(), promise: takeSnapshot(pool, boss) };
    return current.promise;
  };

  const metrics = [
    snapshotMetric('tripline_events_ingested_total', 'Events accepted, by type', 'counter', snapshot, (s) =>
      [...s.eventsByType].map(([type, value]) => ({ labels: { type }, value })),
    ),
    snapshotMetric('tripline_runs', 'Workflow runs currently stored, by status', 'gauge', snapshot, (s) =>
      ['running', 'waiting', 'succeeded', 'failed', 'cancelled'].map((status) => ({ labels: { status }, value: s.runsByStatus.get(status) ?? 0 })),
    ),
    snapshotMetric('tripline_delivery_attempts_total', 'Webhook delivery attempts, by outcome', 'counter', snapshot, (s) =>
      ['succeeded', 'failed', ...[...s.attemptsByOutcome.keys()].filter((k) => k !== 'succeeded' && k !== 'failed')].map((outcome) => ({
        labels: { outcome },
        value: s.attemptsByOutcome.get(outcome) ?? 0,
      })),
    ),
    snapshotMetric('tripline_delivery_duration_seconds', 'Duration of webhook delivery attempts', 'histogram', snapshot, (s) => [
      ...LATENCY_BUCKETS_SECONDS.map((le, i) => ({ metricName: 'tripline_delivery_duration_seconds_bucket', labels: { le }, value: s.latency.buckets[i] ?? 0 })),
      { metricName: 'tripline_delivery_duration_seconds_bucket', labels: { le: '+Inf' }, value: s.latency.count },
      { metricName: 'tripline_delivery_duration_seconds_sum', value: s.latency.sum },
      { metricName: 'tripline_delivery_duration_seconds_count', value: s.latency.count },
    ]),
    snapshotMetric('tripline_queue_ready_jobs', 'Jobs ready to run now, per queue', 'gauge', snapshot, (s) =>
      s.queues.map((q) => ({ labels: { queue: q.name }, value: q.ready })),
    ),
    snapshotMetric('tripline_queue_queued_jobs', 'Jobs queued (ready, deferred or blocked), per queue', 'gauge', snapshot, (s) =>
      s.queues.map((q) => ({ labels: { queue: q.name }, value: q.queued })),
    ),
    snapshotMetric('tripline_queue_deferred_jobs', 'Jobs waiting for their start time, per queue', 'gauge', snapshot, (s) =>
      s.queues.map((q) => ({ labels: { queue: q.name }, value: q.deferred })),
    ),
    snapshotMetric('tripline_queue_active_jobs', 'Jobs being worked on, per queue', 'gauge', snapshot, (s) =>
      s.queues.map((q) => ({ labels: { queue: q.name }, value: q.active })),
    ),
    snapshotMetric('tripline_queue_failed_jobs', 'Failed jobs still retained, per queue', 'gauge', snapshot, (s) =>
      s.queues.map((q) => ({ labels: { queue: q.name }, value: q.failed })),
    ),
  ];
  for (const m of metrics) registry.registerMetric(m as never);
  return registry;
}

async function takeSnapshot(pool: Pool, boss: PgBoss): Promise<Snapshot> {
  const bucketMs = LATENCY_BUCKETS_SECONDS.map((s) => s * 1000);
  const bucketCols = bucketMs.map((ms, i) => `count(*) filter (where duration_ms <= ${ms})::float8 as b${i}`).join(', ');
  const [events, runs, attempts, latency, baselines, queueRows] = await Promise.all([
    pool.query<{ type: string; n: number }>(`select type, count(*)::float8 as n from events group by type`),
    pool.query<{ status: string; n: number }>(`select status, count(*)::float8 as n from runs group by status`),
    pool.query<{ outcome: string; n: number }>(`select outcome, count(*)::float8 as n from delivery_attempts group by outcome`),
    pool.query<Record<string, number>>(`select ${bucketCols}, coalesce(sum(duration_ms), 0)::float8 / 1000 as sum, count(*)::float8 as count from delivery_attempts`),
    pool.query<{ metric: string; label: string; value: number }>(`select metric, label, value from metric_baselines`),
    boss.getQueues(Object.values(queues).map((q) => q.name)),
  ]);
  const base = (metric: string, label: string) => baselines.rows.find((b) => b.metric === metric && b.label === label)?.value ?? 0;
  const withBaseline = (metric: string, rows: { key: string; n: number }[]) => {
    const out = new Map<string, number>();
    for (const r of rows) out.set(r.key, r.n);
    for (const b of baselines.rows) if (b.metric === metric) out.set(b.label, (out.get(b.label) ?? 0) + b.value);
    return out;
  };
  const l = latency.rows[0]!;
  return {
    eventsByType: withBaseline('events_total', events.rows.map((r) => ({ key: r.type, n: r.n }))),
    runsByStatus: new Map(runs.rows.map((r) => [r.status, r.n])),
    attemptsByOutcome: withBaseline('attempts_total', attempts.rows.map((r) => ({ key: r.outcome, n: r.n }))),
    latency: {
      buckets: bucketMs.map((_, i) => (l[`b${i}`] ?? 0) + base('latency_bucket', String(LATENCY_BUCKETS_SECONDS[i]))),
      sum: (l.sum ?? 0) + base('latency_sum', ''),
      count: (l.count ?? 0) + base('latency_count', ''),
    },
    queues: queueRows.map((q) => ({
      name: q.name,
      ready: q.readyCount ?? 0,
      queued: q.queuedCount ?? 0,
      deferred: q.deferredCount ?? 0,
      active: q.activeCount ?? 0,
      failed: q.failedCount ?? 0,
    })),
  };
}

for (const path of ['/metrics', '/api/v1/metrics']) {
  describeRoute({
    method: 'get',
    path,
    tag: 'Console',
    summary: 'Prometheus metrics (text format): Bearer TRIPLINE_METRICS_TOKEN or the API key, or an address in the metricsAllowList setting',
    auth: false,
  });
}

/** GET /metrics (and /api/v1/metrics through the public routers). */
export function metricsRouter(registry: Registry, ctx: Pick<AppContext, 'config' | 'pool'>): Router {
  const router = Router();
  router.get('/metrics', requireScrapeAccess(ctx), async (_req, res) => {
    res.setHeader('Content-Type', registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await registry.metrics());
  });
  return router;
}
