import { endpointHealthSchema, type EndpointHealth } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { authorize } from '../auth/middleware.ts';
import type { Pool } from '../db/pool.ts';
import { checkTargetUrl } from '../delivery/ssrf.ts';
import { describeRoute } from '../http/openapi.ts';
import { histogramMedian, histogramSql, histogramSumSql, readWatermarks } from './rollups.ts';

/** Health is judged on the last day of attempts: recent enough to matter, enough to be a rate. */
export const HEALTH_WINDOW_HOURS = 24;

interface HealthRow {
  id: string;
  url: string;
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: Date | null;
  attempts: number;
  succeeded: number;
  latency_hist: number[] | null;
  last_failure_at: Date | null;
  last_failure_error: string | null;
  last_attempt_at: Date | null;
  inbox_id: string | null;
}

/**
 * Success rate, median latency and last failure per endpoint, from the endpoint rollups
 * of the window (the first partial hour per minute, the rest per hour) plus the attempts
 * not folded yet (rollups.ts): at most 84 small rows per endpoint however many attempts
 * the day held. The median is read
 * from the latency histogram (interpolated inside a bucket of LATENCY_BOUNDS_MS).
 */
export async function endpointHealth(pool: Pool, endpointId?: string, allowPrivate = false): Promise<EndpointHealth[]> {
  const w = await readWatermarks(pool);
  const { rows } = await pool.query<HealthRow>(
    `with since as (select date_trunc('minute', now() - make_interval(hours => $1)) as at),
     tail as (
       select d.endpoint_id, date_trunc('minute', a.created_at) as minute, count(*)::int as attempts,
              count(*) filter (where a.outcome = 'succeeded')::int as succeeded,
              ${histogramSql('a.duration_ms')} as latency_hist, max(a.created_at) as last_attempt_at,
              max(a.id) filter (where a.outcome <> 'succeeded') as last_failure_id,
              max(a.created_at) filter (where a.outcome <> 'succeeded') as last_failure_at,
              (array_agg(coalesce(a.error, case when a.response_status is not null then 'HTTP ' || a.response_status end) order by a.id desc)
                 filter (where a.outcome <> 'succeeded'))[1] as last_failure_error
         from delivery_attempts a join deliveries d on d.id = a.delivery_id
        where a.id > $3 and a.created_at >= (select at from since) and ($2::text is null or d.endpoint_id = $2)
        group by 1, 2),
     m as (
       select endpoint_id, attempts, succeeded, latency_hist, last_attempt_at, last_failure_id, last_failure_at, last_failure_error
         from endpoint_minutes
        where at >= (select at from since) and at < date_trunc('hour', (select at from since)) + interval '1 hour'
          and ($2::text is null or endpoint_id = $2)
       union all
       select endpoint_id, attempts, succeeded, latency_hist, last_attempt_at, last_failure_id, last_failure_at, last_failure_error
         from endpoint_hours
        where at >= date_trunc('hour', (select at from since)) + interval '1 hour' and ($2::text is null or endpoint_id = $2)
       union all
       select endpoint_id, attempts, succeeded, latency_hist, last_attempt_at, last_failure_id, last_failure_at, last_failure_error from tail),
     agg as (
       select endpoint_id, sum(attempts)::int as attempts, sum(succeeded)::int as succeeded,
              ${histogramSumSql('latency_hist')} as latency_hist,
              max(last_failure_at) as last_failure_at,
              (array_agg(last_failure_error order by last_failure_id desc nulls last) filter (where last_failure_id is not null))[1] as last_failure_error,
              max(last_attempt_at) as last_attempt_at
         from m group by endpoint_id)
     select e.id, e.url, e.description, e.enabled, e.disabled_reason, e.failing_since,
            coalesce(agg.attempts, 0) as attempts, coalesce(agg.succeeded, 0) as succeeded, agg.latency_hist,
            agg.last_failure_at, agg.last_failure_error, agg.last_attempt_at,
            (select i.id from inboxes i where i.endpoint_id = e.id limit 1) as inbox_id
       from endpoints e left join agg on agg.endpoint_id = e.id
      where ($2::text is null or e.id = $2)
      order by e.enabled, e.created_at desc`,
    [HEALTH_WINDOW_HOURS, endpointId ?? null, w.attemptsId],
  );
  return rows.map((r) => {
    const p50 = r.latency_hist ? histogramMedian(r.latency_hist) : null;
    return {
      endpointId: r.id,
      url: r.url,
      description: r.description,
      enabled: r.enabled,
      disabledReason: r.disabled_reason,
      failingSince: r.failing_since?.toISOString() ?? null,
      attempts: r.attempts,
      successRate: r.attempts > 0 ? r.succeeded / r.attempts : null,
      p50LatencyMs: p50 === null ? null : Math.round(p50),
      lastFailureAt: r.last_failure_at?.toISOString() ?? null,
      lastFailureError: r.last_failure_error,
      lastAttemptAt: r.last_attempt_at?.toISOString() ?? null,
      inboxId: r.inbox_id,
      unreachable: unreachableReason(r, allowPrivate),
    };
  });
}

/**
 * An endpoint saved when its target was allowed may be refused now (the setting changed, its
 * name resolves elsewhere): say so on the list instead of showing it as healthy while every
 * delivery fails. The URL is checked as saved; a name is judged by its latest attempt.
 */
function unreachableReason(r: HealthRow, allowPrivate: boolean): string | null {
  const check = checkTargetUrl(r.url, allowPrivate);
  if (!check.ok) return `the SSRF guard refuses this target: it ${check.reason}`;
  const lastFailed = r.last_failure_at && r.last_attempt_at && r.last_failure_at.getTime() === r.last_attempt_at.getTime();
  if (lastFailed && r.last_failure_error?.startsWith('target refused:')) return `the SSRF guard refused the last delivery: ${r.last_failure_error.slice('target refused: '.length)}`;
  return null;
}

describeRoute({
  method: 'get',
  path: '/api/v1/endpoints/health',
  tag: 'Console',
  summary: `Every endpoint with its health over the last ${HEALTH_WINDOW_HOURS} h: success rate, p50 latency, last failure, disabled reason`,
  response: z.object({ data: z.array(endpointHealthSchema) }),
});

describeRoute({
  method: 'get',
  path: '/api/v1/endpoints/:id/health',
  tag: 'Console',
  summary: `One endpoint's health over the last ${HEALTH_WINDOW_HOURS} h`,
  response: endpointHealthSchema,
});

/** Mounted before the endpoints API so `/endpoints/health` is not taken for an endpoint id. */
export function endpointHealthRouter(pool: Pool, allowPrivate = false): Router {
  const router = Router();
  router.get('/endpoints/health', authorize('endpoints:read'), async (_req, res) => {
    res.json({ data: await endpointHealth(pool, undefined, allowPrivate) });
  });
  router.get('/endpoints/:id/health', authorize('endpoints:read'), async (req, res, next) => {
    const [row] = await endpointHealth(pool, String(req.params.id), allowPrivate);
    if (!row) return next();
    res.json(row);
  });
  return router;
}
