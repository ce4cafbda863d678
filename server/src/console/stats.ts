import { statsQuerySchema, statsSchema, type Stats, type StatsWindow } from '@tripline/shared';
import { Router } from 'express';
import { attemptSeries, currentTotals, eventSeries, runSeries } from '../db/console.ts';
import type { Pool } from '../db/pool.ts';
import { declareRoutes } from '../http/route.ts';
import { readWatermarks } from '../db/rollups.ts';

const WINDOWS: Record<StatsWindow, { seconds: number; bucketSeconds: number }> = {
  '1h': { seconds: 3600, bucketSeconds: 60 },
  '24h': { seconds: 86_400, bucketSeconds: 900 },
  '7d': { seconds: 7 * 86_400, bucketSeconds: 3600 },
};

/**
 * Every series is read from the per-minute rollups (rollups.ts), plus the rows not folded
 * yet (the last few seconds) from the raw tables, grouped with date_bin onto a
 * generate_series of the buckets so quiet minutes show as zero instead of gaps. A 7-day
 * window reads 168 hour rows per series, a day 1,440 minute rows, however many events they hold.
 */
export async function computeStats(pool: Pool, window: StatsWindow, now = new Date()): Promise<Stats> {
  const { seconds, bucketSeconds } = WINDOWS[window];
  const bucketMs = bucketSeconds * 1000;
  // Align the window to whole buckets so successive refreshes line up.
  const to = new Date(Math.ceil(now.getTime() / bucketMs) * bucketMs);
  const from = new Date(to.getTime() - seconds * 1000);
  const series = { from, to, bucketSeconds, watermarks: await readWatermarks(pool) };
  const [events, runs, attempts, t] = await Promise.all([eventSeries(pool, series), runSeries(pool, series), attemptSeries(pool, series), currentTotals(pool, from)]);

  const sum = <T>(rows: T[], pick: (r: T) => number) => rows.reduce((n, r) => n + pick(r), 0);
  return {
    window,
    bucketSeconds,
    from: from.toISOString(),
    to: to.toISOString(),
    events: events.map((r) => ({ at: r.at.toISOString(), count: r.count, perMinute: Math.round((r.count / (bucketSeconds / 60)) * 100) / 100 })),
    runs: runs.map((r) => ({ at: r.at.toISOString(), succeeded: r.succeeded, failed: r.failed })),
    attempts: attempts.map((r) => ({ at: r.at.toISOString(), succeeded: r.succeeded, failed: r.failed })),
    totals: {
      events: sum(events, (r) => r.count),
      runsSucceeded: sum(runs, (r) => r.succeeded),
      runsFailed: sum(runs, (r) => r.failed),
      runsWaiting: t.runs_waiting,
      attemptsSucceeded: sum(attempts, (r) => r.succeeded),
      attemptsFailed: sum(attempts, (r) => r.failed),
      deliveriesFailing: t.deliveries_failing,
      endpointsDisabled: t.endpoints_disabled,
      endpointsTotal: t.endpoints_total,
    },
  };
}

export function statsRouter(pool: Pool): Router {
  const router = Router();
  const route = declareRoutes(router);
  route(
    { method: 'get', path: '/stats', access: 'runs:read', tag: 'Console', summary: 'Dashboard figures for a window (1h, 24h, 7d)', query: statsQuerySchema, response: statsSchema },
    ({ query: { window } }) => computeStats(pool, window),
  );
  return router;
}
