import { endpointHealthSchema, type EndpointHealth } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { authorize } from '../auth/middleware.ts';
import type { Pool } from '../db/pool.ts';
import { checkTargetUrl } from '../delivery/ssrf.ts';
import { describeRoute } from '../http/openapi.ts';

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
  p50: number | null;
  last_failure_at: Date | null;
  last_failure_error: string | null;
  last_attempt_at: Date | null;
  inbox_id: string | null;
}

/** Success rate, median latency and last failure per endpoint, from delivery_attempts. */
export async function endpointHealth(pool: Pool, endpointId?: string, allowPrivate = false): Promise<EndpointHealth[]> {
  const { rows } = await pool.query<HealthRow>(
    `with a as (
       select d.endpoint_id, a.outcome, a.duration_ms, a.created_at, a.id,
              coalesce(a.error, case when a.response_status is not null then 'HTTP ' || a.response_status end) as error
         from delivery_attempts a join deliveries d on d.id = a.delivery_id
        where a.created_at > now() - make_interval(hours => $1)
          and ($2::text is null or d.endpoint_id = $2)),
     agg as (
       select endpoint_id, count(*)::int as attempts,
              count(*) filter (where outcome = 'succeeded')::int as succeeded,
              percentile_cont(0.5) within group (order by duration_ms) as p50,
              max(created_at) filter (where outcome <> 'succeeded') as last_failure_at,
              (array_agg(error order by id desc) filter (where outcome <> 'succeeded'))[1] as last_failure_error,
              max(created_at) as last_attempt_at
         from a group by endpoint_id)
     select e.id, e.url, e.description, e.enabled, e.disabled_reason, e.failing_since,
            coalesce(agg.attempts, 0) as attempts, coalesce(agg.succeeded, 0) as succeeded, agg.p50,
            agg.last_failure_at, agg.last_failure_error, agg.last_attempt_at,
            (select i.id from inboxes i where i.endpoint_id = e.id limit 1) as inbox_id
       from endpoints e left join agg on agg.endpoint_id = e.id
      where ($2::text is null or e.id = $2)
      order by e.enabled, e.created_at desc`,
    [HEALTH_WINDOW_HOURS, endpointId ?? null],
  );
  return rows.map((r) => ({
    endpointId: r.id,
    url: r.url,
    description: r.description,
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    failingSince: r.failing_since?.toISOString() ?? null,
    attempts: r.attempts,
    successRate: r.attempts > 0 ? r.succeeded / r.attempts : null,
    p50LatencyMs: r.p50 === null ? null : Math.round(r.p50),
    lastFailureAt: r.last_failure_at?.toISOString() ?? null,
    lastFailureError: r.last_failure_error,
    lastAttemptAt: r.last_attempt_at?.toISOString() ?? null,
    inboxId: r.inbox_id,
    unreachable: unreachableReason(r, allowPrivate),
  }));
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
