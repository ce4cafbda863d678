import { Router } from 'express';
import type { PgBoss } from 'pg-boss';
import { Registry } from 'prom-client';
import type { Pool } from '../db/pool.ts';
import type { AppContext } from '../context.ts';
import { deliveryQueueDepths } from '../db/console.ts';
import { declareRoutes } from '../http/route.ts';
import { metricsRegistry } from '../metrics/registry.ts';
export { LATENCY_BUCKETS_SECONDS } from '../metrics/registry.ts';
import { queues } from '../queue/queues.ts';
import { requireScrapeAccess } from './metrics-access.ts';

interface QueueSnapshot {
  queues: { name: string; ready: number; queued: number; deferred: number; active: number; failed: number }[];
  deliveries: { due: number; scheduled: number; sending: number };
}

type Sample = { labels?: Record<string, string | number>; value: number };

/** A gauge read at scrape time from the queues' own bookkeeping; prom-client only formats it. */
function queueGauge(name: string, help: string, snapshot: () => Promise<QueueSnapshot>, values: (s: QueueSnapshot) => Sample[]) {
  return {
    name,
    help,
    type: 'gauge',
    aggregator: 'sum',
    async get() {
      return { name, help, type: 'gauge', aggregator: 'sum', values: values(await snapshot()) };
    },
  };
}

/**
 * The process's Prometheus metrics: the hot-path counters and histograms of
 * metrics/registry.ts (events, runs, delivery attempts and latencies, counted as they
 * happen), plus queue depths read at scrape time from pg-boss's queue table and the
 * deliveries queue's partial indexes (never a count over a whole table).
 */
export function createMetricsRegistry(pool: Pool, boss: PgBoss): Registry {
  const own = new Registry();
  let current: { at: number; promise: Promise<QueueSnapshot> } | undefined;
  const snapshot = () => {
    if (!current || Date.now() - current.at > 1000) current = { at: Date.now(), promise: takeSnapshot(pool, boss) };
    return current.promise;
  };
  const gauges = [
    queueGauge('tripline_queue_ready_jobs', 'Jobs ready to run now, per queue', snapshot, (s) => s.queues.map((q) => ({ labels: { queue: q.name }, value: q.ready }))),
    queueGauge('tripline_queue_queued_jobs', 'Jobs queued (ready, deferred or blocked), per queue', snapshot, (s) =>
      s.queues.map((q) => ({ labels: { queue: q.name }, value: q.queued })),
    ),
    queueGauge('tripline_queue_deferred_jobs', 'Jobs waiting for their start time, per queue', snapshot, (s) =>
      s.queues.map((q) => ({ labels: { queue: q.name }, value: q.deferred })),
    ),
    queueGauge('tripline_queue_active_jobs', 'Jobs being worked on, per queue', snapshot, (s) => s.queues.map((q) => ({ labels: { queue: q.name }, value: q.active }))),
    queueGauge('tripline_queue_failed_jobs', 'Failed jobs still retained, per queue', snapshot, (s) => s.queues.map((q) => ({ labels: { queue: q.name }, value: q.failed }))),
    queueGauge('tripline_deliveries_queued', 'Webhook deliveries waiting or being sent: due now, scheduled for a retry, sending', snapshot, (s) => [
      { labels: { state: 'due' }, value: s.deliveries.due },
      { labels: { state: 'scheduled' }, value: s.deliveries.scheduled },
      { labels: { state: 'sending' }, value: s.deliveries.sending },
    ]),
  ];
  for (const g of gauges) own.registerMetric(g as never);
  return Registry.merge([metricsRegistry, own]);
}

async function takeSnapshot(pool: Pool, boss: PgBoss): Promise<QueueSnapshot> {
  const [queueRows, deliveries] = await Promise.all([
    boss.getQueues(Object.values(queues).map((q) => q.name)),
    deliveryQueueDepths(pool),
  ]);
  return {
    queues: queueRows.map((q) => ({
      name: q.name,
      ready: q.readyCount ?? 0,
      queued: q.queuedCount ?? 0,
      deferred: q.deferredCount ?? 0,
      active: q.activeCount ?? 0,
      failed: q.failedCount ?? 0,
    })),
    deliveries: deliveries ?? { due: 0, scheduled: 0, sending: 0 },
  };
}

/** GET /metrics at `mount` '' (the root) and '/api/v1' (through the public routers). */
export function metricsRouter(registry: Registry, ctx: Pick<AppContext, 'config' | 'pool'>, mount = ''): Router {
  const router = Router();
  const route = declareRoutes(router, mount);
  route(
    {
      method: 'get',
      path: '/metrics',
      access: { public: 'the scraper proves itself with a token or its address (metrics-access.ts), checked next' },
      use: [requireScrapeAccess(ctx)],
      tag: 'Console',
      summary: 'Prometheus metrics (text format): Bearer TRIPLINE_METRICS_TOKEN or the API key, or an address in the metricsAllowList setting',
      produces: 'text/plain',
    },
    async ({ res }) => {
      res.setHeader('Content-Type', registry.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.send(await registry.metrics());
    },
  );
  return router;
}
