import { isDeepStrictEqual } from 'node:util';
import type { ApiErrorDetail } from '@tripline/shared';
import type { PortalCeiling } from '../db/portal.ts';

/**
 * What a partner may set on an endpoint through a portal link (issue 23, item 9): the event
 * types and filter the admin had set when they shared it are a ceiling. Each pattern must be
 * covered by one of the ceiling's (or already be on the endpoint: an admin may have widened
 * it since); the filter the partner sends is combined with the ceiling's, so it can only
 * narrow what the endpoint receives.
 */

/** Whether the ceiling pattern `outer` lets through every event `inner` does. */
function covers(outer: string, inner: string): boolean {
  if (outer === '*' || outer === inner) return true;
  if (!outer.endsWith('.*')) return false;
  return inner !== '*' && inner.startsWith(outer.slice(0, -1));
}

export function eventTypesBeyond(ceiling: PortalCeiling, current: string[], wanted: string[]): ApiErrorDetail[] {
  return wanted.flatMap((pattern, i) =>
    ceiling.eventTypes.some((c) => covers(c, pattern)) || current.includes(pattern)
      ? []
      : [{ path: `eventTypes.${i}`, message: `"${pattern}" is wider than this link allows (${ceiling.eventTypes.join(', ') || 'no event types'}); ask the admin to widen it` }],
  );
}

/**
 * The filter to store: the partner's, and the ceiling's with it. A filter the partner sends
 * back unchanged is kept as the endpoint has it (an admin may have changed it since), and one
 * that already holds the ceiling's (as an `and` term) is kept, so saving twice does not nest it.
 */
export function narrowedFilter(ceiling: PortalCeiling, current: unknown, wanted: unknown): unknown {
  const admin = ceiling.filter ?? null;
  const sent = wanted ?? null;
  if (admin === null || isDeepStrictEqual(sent, current ?? null) || holdsCeiling(sent, admin)) return sent;
  return sent === null ? admin : { and: [admin, sent] };
}

/** The filter is the ceiling's, or an `and` with the ceiling's as one of its terms. */
function holdsCeiling(filter: unknown, admin: unknown): boolean {
  if (isDeepStrictEqual(filter, admin)) return true;
  const terms = (filter as { and?: unknown } | null)?.and;
  return Array.isArray(terms) && terms.some((t) => isDeepStrictEqual(t, admin));
}
