import { endpointHealthSchema, type EndpointHealth } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { endpointHealthRows, type HealthRow } from '../db/console.ts';
import type { Pool } from '../db/pool.ts';
import { checkTargetUrl } from '../delivery/ssrf.ts';
import { notFound } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';
import { histogramMedian, readWatermarks } from '../db/rollups.ts';

const tag = 'Console';

/** Health is judged on the last day of attempts: recent enough to matter, enough to be a rate. */
export const HEALTH_WINDOW_HOURS = 24;

/**
 * Success rate, median latency and last failure per endpoint, from the endpoint rollups
 * of the window (the first partial hour per minute, the rest per hour) plus the attempts
 * not folded yet (rollups.ts): at most 84 small rows per endpoint however many attempts
 * the day held. The median is read
 * from the latency histogram (interpolated inside a bucket of LATENCY_BOUNDS_MS).
 */
export async function endpointHealth(pool: Pool, endpointId?: string, allowPrivate = false): Promise<EndpointHealth[]> {
  const { attemptsId } = await readWatermarks(pool);
  const rows = await endpointHealthRows(pool, { endpointId, windowHours: HEALTH_WINDOW_HOURS, attemptsId });
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
  // A test inbox is delivered inside Tripline (console/inbox.ts), never through the guard:
  // its loopback URL is reachable whatever the guard thinks of loopback.
  if (r.inbox_id) return null;
  const check = checkTargetUrl(r.url, allowPrivate);
  if (!check.ok) return `the SSRF guard refuses this target: it ${check.reason}`;
  const lastFailed = r.last_failure_at && r.last_attempt_at && r.last_failure_at.getTime() === r.last_attempt_at.getTime();
  if (lastFailed && r.last_failure_error?.startsWith('target refused:')) return `the SSRF guard refused the last delivery: ${r.last_failure_error.slice('target refused: '.length)}`;
  return null;
}

/** Mounted before the endpoints API so `/endpoints/health` is not taken for an endpoint id. */
export function endpointHealthRouter(pool: Pool, allowPrivate = false): Router {
  const router = Router();
  const route = declareRoutes(router);
  route(
    {
      method: 'get',
      path: '/endpoints/health',
      access: 'endpoints:read',
      tag,
      summary: `Every endpoint with its health over the last ${HEALTH_WINDOW_HOURS} h: success rate, p50 latency, last failure, disabled reason`,
      response: z.object({ data: z.array(endpointHealthSchema) }),
    },
    async () => ({ data: await endpointHealth(pool, undefined, allowPrivate) }),
  );
  route(
    { method: 'get', path: '/endpoints/:id/health', access: 'endpoints:read', tag, summary: `One endpoint's health over the last ${HEALTH_WINDOW_HOURS} h`, response: endpointHealthSchema },
    async ({ params }) => {
      const [row] = await endpointHealth(pool, params.id!, allowPrivate);
      if (!row) throw notFound('endpoint', params.id!);
      return row;
    },
  );
  return router;
}
