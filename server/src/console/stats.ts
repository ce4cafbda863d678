import { statsQuerySchema, statsSchema, type Stats, type StatsWindow } from '@tripline/shared';
import { Router } from 'express';
import { authorize } from '../auth/middleware.ts';
import type { Pool } from '../db/pool.ts';
import { parseOr422 } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import { readWatermarks } from './rollups.ts';

const WINDOWS: Record<StatsWindow, { seconds: number; bucketSeconds: number }> = {
  '1h': { seconds: 3600, bucketSeconds: 60 },
  '24h': { seconds: 86_400, bucketSeconds: 900 },
  '7d': { seconds: 7 * 86_400, bucketSeconds: 3600 },
};

describeRoute({ method: 'get', path: '/api/v1/stats', tag: 'Console', summary: 'Dashboard figures for a window (1h, 24h, 7d)', response: statsSchema });

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
  const w = await readWatermarks(pool);
  const params = [from.toISOString(), to.toISOString(), `${bucketSeconds} seconds`];
  const buckets = `select generate_series($1::timestamptz, $2::timestamptz - $3::interval, $3::interval) as at`;
  const bin = (column: string) => `date_bin($3::interval, ${column}, $1::timestamptz)`;
  // Hour rollups when the buckets are whole hours (the 7-day window), minute rollups otherwise.
  const grain = bucketSeconds % 3600 === 0 ? 'hours' : 'minutes';

  const [events, runs, attempts, totals] = await Promise.all([
    pool.query<{ at: Date; count: number }>(
      `with b as (${buckets}),
            c as (select ${bin('at')} as at, count from event_${grain} where at >= $1 and at < $2
                  union all
                  select ${bin('received_at')}, 1 from events where seq > $4 and received_at >= $1 and received_at < $2),
            s as (select at, sum(count)::int as count from c group by at)
       select b.at, coalesce(s.count, 0) as count from b left join s using (at) order by b.at`,
      [...params, w.eventsSeq],
    ),
    pool.query<{ at: Date; succeeded: number; failed: number }>(
      `with b as (${buckets}),
            c as (select ${bin('at')} as at, succeeded, failed from run_${grain} where at >= $1 and at < $2
                  union all
                  select ${bin('finished_at')}, (status = 'succeeded')::int, (status = 'failed')::int from runs
                   where finished_at >= greatest($1, coalesce($4, '-infinity'::timestamptz)) and finished_at < $2),
            s as (select at, sum(succeeded)::int as succeeded, sum(failed)::int as failed from c group by at)
       select b.at, coalesce(s.succeeded, 0) as succeeded, coalesce(s.failed, 0) as failed
         from b left join s using (at) order by b.at`,
      [...params, w.runsUntil],
    ),
    pool.query<{ at: Date; succeeded: number; failed: number }>(
      `with b as (${buckets}),
            c as (select ${bin('at')} as at, succeeded, failed from attempt_${grain} where at >= $1 and at < $2
                  union all
                  select ${bin('created_at')}, (outcome = 'succeeded')::int, (outcome <> 'succeeded')::int from delivery_attempts
                   where id > $4 and created_at >= $1 and created_at < $2),
            s as (select at, sum(succeeded)::int as succeeded, sum(failed)::int as failed from c group by at)
       select b.at, coalesce(s.succeeded, 0) as succeeded, coalesce(s.failed, 0) as failed
         from b left join s using (at) order by b.at`,
      [...params, w.attemptsId],
    ),
    // deliveries_failing_updated holds only failing deliveries: the count reads those updated in the window.
    pool.query<{ runs_waiting: number; deliveries_failing: number; endpoints_disabled: number; endpoints_total: number }>(
      `select (select count(*)::int from runs where status = 'waiting') as runs_waiting,
              (select count(*)::int from deliveries
                where (status = 'failed' or (status in ('pending', 'sending') and attempt_count > 0 and last_error is not null))
                  and updated_at >= $1) as deliveries_failing,
              (select count(*)::int from endpoints where not enabled) as endpoints_disabled,
              (select count(*)::int from endpoints) as endpoints_total`,
      [from.toISOString()],
    ),
  ]);

  const sum = <T>(rows: T[], pick: (r: T) => number) => rows.reduce((n, r) => n + pick(r), 0);
  const t = totals.rows[0]!;
  return {
    window,
    bucketSeconds,
    from: from.toISOString(),
    to: to.toISOString(),
    events: events.rows.map((r) => ({ at: r.at.toISOString(), count: r.count, perMinute: Math.round((r.count / (bucketSeconds / 60)) * 100) / 100 })),
    runs: runs.rows.map((r) => ({ at: r.at.toISOString(), succeeded: r.succeeded, failed: r.failed })),
    attempts: attempts.rows.map((r) => ({ at: r.at.toISOString(), succeeded: r.succeeded, failed: r.failed })),
    totals: {
      events: sum(events.rows, (r) => r.count),
      runsSucceeded: sum(runs.rows, (r) => r.succeeded),
      runsFailed: sum(runs.rows, (r) => r.failed),
      runsWaiting: t.runs_waiting,
      attemptsSucceeded: sum(attempts.rows, (r) => r.succeeded),
      attemptsFailed: sum(attempts.rows, (r) => r.failed),
      deliveriesFailing: t.deliveries_failing,
      endpointsDisabled: t.endpoints_disabled,
      endpointsTotal: t.endpoints_total,
    },
  };
}

export function statsRouter(pool: Pool): Router {
  const router = Router();
  router.get('/stats', authorize('runs:read'), async (req, res) => {
    const { window } = parseOr422(statsQuerySchema, req.query, 'query');
    res.json(await computeStats(pool, window));
  });
  return router;
}
