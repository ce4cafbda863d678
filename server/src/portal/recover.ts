import { PORTAL_RECOVER_MAX, PORTAL_RECOVER_WINDOW_HOURS, PORTAL_RECOVERS_PER_HOUR } from '@tripline/shared';
import { recordAudit, type Actor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { rowToEnvelope, type EventRow } from '../db/events.ts';
import { withTransaction } from '../db/pool.ts';
import { takeRecoverSlot } from '../db/portal.ts';
import { loadEndpoint } from '../delivery/endpoint-operations.ts';
import { eventsMissedBy } from '../db/delivery-reads.ts';
import { filterPasses, newDeliveryId, webhookPayload } from '../delivery/fan-out.ts';
import { createdBehindLive, requeuedBehindLive } from '../delivery/state-machine.ts';
import { conflict, HttpError, invalid } from '../http/errors.ts';

/**
 * A partner's recover (issue 23, item 9), bounded where the admin's is not: `since` at most
 * PORTAL_RECOVER_WINDOW_HOURS back, at most PORTAL_RECOVER_MAX deliveries a call (failed ones
 * first, then missed events, oldest first; call again for more), PORTAL_RECOVERS_PER_HOUR
 * calls a link an hour. What it queues is due behind live traffic: RECOVER_DEFER after now,
 * one every RECOVER_SPACING (20 a second), so a recover never lands as a burst ahead of the
 * deliveries of the store's live events on the shared workers.
 */

const RECOVER_DEFER = { ms: 2_000, spacingMs: 50 };

/**
 * Checks a partner's recover before it runs: the window (422 naming `since`), then the link's
 * hourly allowance, which it counts. Answers the seconds to wait when that is spent.
 */
export async function recoverRefusal(ctx: AppContext, linkId: string, since: string): Promise<number | undefined> {
  const earliest = Date.now() - PORTAL_RECOVER_WINDOW_HOURS * 3_600_000;
  if (Date.parse(since) < earliest) {
    throw invalid(`recover reaches at most ${PORTAL_RECOVER_WINDOW_HOURS} hours back through the portal; ask the admin for more`, [
      { path: 'since', message: `at most ${PORTAL_RECOVER_WINDOW_HOURS} hours ago (not before ${new Date(earliest).toISOString()})` },
    ]);
  }
  return takeRecoverSlot(ctx.pool, linkId, PORTAL_RECOVERS_PER_HOUR);
}

export const recoverRateLimited = (wait: number) =>
  new HttpError(429, 'rate_limited', `this portal link may recover ${PORTAL_RECOVERS_PER_HOUR} times an hour; try again in ${Math.ceil(wait / 60)} minute(s)`);

/** The bounded recover itself, once recoverRefusal let it through. */
export async function recoverForPartner(ctx: AppContext, actor: Actor, endpointId: string, since: string): Promise<{ requeued: number; missed: number; more: boolean }> {
  return withTransaction(ctx.pool, async (tx) => {
    const endpoint = await loadEndpoint(tx, endpointId, true);
    if (!endpoint.enabled) throw conflict('the endpoint is disabled; enable it first, then recover');
    const requeued = await requeuedBehindLive(tx, endpointId, since, PORTAL_RECOVER_MAX, RECOVER_DEFER);
    const room = PORTAL_RECOVER_MAX - requeued.length;
    let missed: string[] = [];
    let more = room === 0;
    if (room > 0 && endpoint.event_types.length > 0) {
      const exact = endpoint.event_types.filter((p) => !p.endsWith('*'));
      const prefixes = endpoint.event_types.filter((p) => p.endsWith('.*')).map((p) => p.slice(0, -1));
      const all = endpoint.event_types.includes('*');
      // One more than room: whether there is more to recover than this call may send.
      const rows = await eventsMissedBy(tx, { id: endpoint.id, createdAt: endpoint.created_at }, since, { all, exact, prefixes }, room + 1);
      const envelopes = rows.map((r) => rowToEnvelope(r as unknown as EventRow)).filter((e) => filterPasses(endpoint.filter, e));
      more = envelopes.length > room;
      missed = await createdBehindLive(
        tx,
        envelopes.slice(0, room).map((e) => ({ id: newDeliveryId(), endpointId, eventId: e.id, eventType: e.type, runId: null, nodeId: null, payload: JSON.stringify(webhookPayload(e)), acceptedAt: e.receivedAt })),
        RECOVER_DEFER,
        requeued.length,
      );
    }
    const result = { requeued: requeued.length, missed: missed.length, more };
    await recordAudit(tx, actor, { action: 'endpoint.recover', targetType: 'endpoint', targetId: endpointId, after: { since, ...result } });
    return result;
  });
}
