import { recordAudit } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import {
  claimDue,
  deferBehindLive,
  deleteAttemptsOf,
  deleteFinishedDeliveries,
  failStepDeliveriesOf,
  insertDeliveries,
  notifyDue,
  parkPending,
  reclaimExpiredLeases,
  recordOutcomesAndAttempts,
  renewLeases,
  requeueDelivery,
  requeueFailedSince,
  requeueFailedStepDelivery,
  requeueBehindLive,
  requeuePaused,
  requeueStranded,
  type BehindLive,
  type BirthLease,
  type ClaimedDelivery,
  type InsertedDelivery,
  type NewDelivery,
  type RecordedRow,
  type SettledRow,
} from '../db/deliveries.ts';
import { oldFinishedDeliveryIds, type DeliveryRow } from '../db/delivery-reads.ts';
import { deleteEndpointRow, findEndpoint, markEndpointDisabled, markEndpointEnabled, markFailingSince, releaseSlots, type EndpointRow } from '../db/endpoints.ts';
import type { PoolClient } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';
import type { SettledStepDelivery } from '../bus.ts';
import { raiseEvent, settledStepDeliveries } from './hooks.ts';
import type { Decision, Ready } from './outcome-policy.ts';

/**
 * The delivery state machine: the only writer of a delivery's status and of an endpoint's
 * health (enabled, failing_since). Each transition writes its rows (db/deliveries.ts,
 * db/endpoints.ts) and fires its side effects in one place, in the caller's transaction:
 * the NOTIFY that wakes the claim loops when work became due, the runs waiting on a
 * workflow step's delivery resumed when it settles, an endpoint disabled with
 * `endpoint.disabled` raised and audited.
 *
 *   created ──claim──▶ sending ──outcome──▶ succeeded
 *      ▲                 │  │ └─────────▶ pending (retry scheduled / throttled) ──▶ (due again)
 *      │                 │  └───────────▶ failed (given up; a step's when its endpoint is disabled)
 *      │                 └─lease expired─▶ pending (recovered)
 *   pending ──endpoint disabled──▶ paused (subscription) | failed (step)
 *   failed/paused ──replay, recover, enable, run retry──▶ pending (same id, fresh schedule)
 *   pending/sending step ──endpoint deleted──▶ failed (cancelled)
 *   finished, older than retention ──▶ deleted (purged)
 *
 * The picture, with the run state machine's, is in server/src/ARCHITECTURE.md. Retry
 * policy (what an attempt's result means) is outcome-policy.ts: pure, decided before the
 * write so a rewrite of the same batch writes the same thing.
 */

// ── created ──────────────────────────────────────────────────────────────────────────

/**
 * New deliveries (fan-out, workflow steps, tests, missed events): pending and due now. One
 * statement inserts them and NOTIFYs when any was new. Rows for a disabled or missing
 * endpoint, or already delivered, are skipped (not returned). With a `lease` (an event
 * batch in a process that also sends) they are born `sending` under it instead, and come
 * back with the `claim` the maker's delivery worker sends right after the commit.
 */
export function created(tx: Queryable, rows: NewDelivery[], lease?: BirthLease): Promise<InsertedDelivery[]> {
  return insertDeliveries(tx, rows, lease);
}

// ── claimed ──────────────────────────────────────────────────────────────────────────

/** Due deliveries to `sending` under a lease of `leaseSeconds`, with their endpoints. */
export function claimed(db: Queryable, opts: { limit: number; leaseSeconds: number; token: string; failureWindowSeconds: number }): Promise<ClaimedDelivery[]> {
  return claimDue(db, opts);
}

/** The claims still being sent by this process keep their lease. */
export function leasesRenewed(db: Queryable, held: { id: string; token: string }[], leaseSeconds: number): Promise<void> {
  return renewLeases(db, held, leaseSeconds);
}

// ── attempted: succeeded, retry scheduled, failed (given up), parked ──────────────────

/**
 * The outcomes of a batch of claimed deliveries: the rows and their attempts in one
 * statement, the endpoint slots they held released, the runs waiting on step deliveries
 * resumed (before the endpoint rows are touched), and then the endpoints' health: an
 * endpoint that answered is no longer failing, one that did not starts failing, one the
 * policy gave up on is disabled. `isolateResume` false (the worker's first try): the
 * resume takes no savepoint and its failure fails the transaction (SettledHookFailed).
 */
export async function attempted(ctx: AppContext, tx: PoolClient, batch: Ready[], decisions: Decision[], isolateResume: boolean): Promise<RecordedRow[]> {
  const rows = await recordOutcomesAndAttempts(
    tx,
    decisions.map((x) => x.outcome),
    batch.flatMap((item) => (item.kind === 'sent' ? [item.result.record] : [])),
  );
  await releaseSlots(
    tx,
    batch.flatMap((item) => (item.kind === 'sent' && item.slot ? [item.d.id] : [])),
  );
  await settledStepDeliveries(ctx, tx, settledSteps(rows), { isolated: isolateResume });
  await endpointHealth(ctx, tx, batch, decisions, rows);
  return rows;
}

/** Last in the transaction, and only when something changes, so the endpoint row locks are short. */
async function endpointHealth(ctx: AppContext, tx: PoolClient, batch: Ready[], decisions: Decision[], rows: RecordedRow[]): Promise<void> {
  const owned = new Set(rows.map((r) => r.deliveryId));
  // As the outcome write saw them: an endpoint that answered needs a write only if it was failing.
  const failingNow = new Set(rows.filter((r) => r.endpointFailing).map((r) => r.endpointId));
  const answered = new Set<string>();
  const failing = new Set<string>();
  const disable = new Map<string, string>();
  batch.forEach((item, i) => {
    if (item.kind !== 'sent' || !owned.has(item.d.id)) return;
    const reason = decisions[i]!.disable;
    if (reason) disable.set(item.d.endpoint_id, reason);
    else if (item.result.succeeded) answered.add(item.d.endpoint_id);
    else if (!item.d.failing_since) failing.add(item.d.endpoint_id);
  });
  for (const id of answered) failing.delete(id);
  for (const id of disable.keys()) {
    answered.delete(id);
    failing.delete(id);
  }
  await markFailingSince(tx, [...answered].filter((id) => failingNow.has(id)).sort(), [...failing].sort());
  for (const [endpointId, reason] of disable) await endpointDisabled(ctx, tx, endpointId, reason);
}

// ── endpoint disabled / enabled ──────────────────────────────────────────────────────

/**
 * Tripline disables an endpoint (once: 410 Gone, failing past its window): what it still
 * had queued is parked (a workflow step's delivery fails, and its run is told),
 * `endpoint.disabled` is raised and the change audited. Answers whether this call disabled it.
 */
export async function endpointDisabled(ctx: AppContext, tx: PoolClient, endpointId: string, reason: string): Promise<boolean> {
  const url = await markEndpointDisabled(tx, endpointId, reason);
  if (url === undefined) return false;
  const parked = await parkPending(tx, endpointId, `the endpoint was disabled: ${reason}`);
  await settledStepDeliveries(ctx, tx, settledSteps(parked));
  await raiseEvent(ctx, tx, { type: 'endpoint.disabled', source: 'tripline', data: { endpointId, url, reason } });
  await recordAudit(tx, { label: 'tripline' }, { action: 'endpoint.disable', targetType: 'endpoint', targetId: endpointId, after: { enabled: false, reason } });
  ctx.log.warn({ endpointId, reason }, 'endpoint disabled');
  return true;
}

/**
 * A person disables an endpoint: nothing is parked now (its claims park what comes due,
 * outcome-policy.ts), no event is raised; the caller audits the edit.
 */
export async function endpointDisabledBy(tx: Queryable, endpointId: string, reason: string): Promise<EndpointRow> {
  await markEndpointDisabled(tx, endpointId, reason);
  return (await findEndpoint(tx, endpointId))!;
}

/** Enabled again with a clean failure record; what was paused meanwhile goes out again, each with its full retry schedule. */
export async function endpointEnabled(tx: Queryable, endpointId: string): Promise<{ row: EndpointRow; resumed: number }> {
  const row = await markEndpointEnabled(tx, endpointId);
  const resumed = await requeuePaused(tx, endpointId);
  if (resumed) await notifyDue(tx);
  return { row, resumed };
}

// ── cancelled ────────────────────────────────────────────────────────────────────────

/**
 * An endpoint deleted: its unfinished workflow-step deliveries fail now with the reason
 * (their runs move on as on any failed delivery), then the row goes with its deliveries
 * and attempts (on delete cascade).
 */
export async function endpointDeleted(ctx: AppContext, tx: PoolClient, endpoint: Pick<EndpointRow, 'id' | 'url'>): Promise<void> {
  const failed = await failStepDeliveriesOf(tx, endpoint.id, `the endpoint was deleted (${endpoint.id}, ${endpoint.url})`);
  await settledStepDeliveries(ctx, tx, settledSteps(failed));
  await deleteEndpointRow(tx, endpoint.id);
}

// ── replayed ─────────────────────────────────────────────────────────────────────────

/** One delivery due again at once: same id, so the same webhook-id, and the whole retry schedule. */
export async function replayed(tx: Queryable, deliveryId: string): Promise<DeliveryRow | undefined> {
  const row = await requeueDelivery(tx, deliveryId);
  if (row) await notifyDue(tx);
  return row;
}

/** Every failed or paused delivery of an endpoint since a time, due again. */
export async function recoveredSince(tx: Queryable, endpointId: string, since: string): Promise<number> {
  const n = await requeueFailedSince(tx, endpointId, since);
  if (n) await notifyDue(tx);
  return n;
}

/**
 * A partner's bounded recover (portal/recover.ts): at most `limit` failed or paused
 * deliveries of the endpoint since `since` due again, behind live traffic and spread
 * (`defer`). The tick finds them when they come due: no NOTIFY, nothing is due now.
 */
export function requeuedBehindLive(tx: Queryable, endpointId: string, since: string, limit: number, defer: BehindLive): Promise<string[]> {
  return requeueBehindLive(tx, endpointId, since, limit, defer);
}

/** New deliveries of events an endpoint missed, due behind live traffic after the `after` already queued (see requeuedBehindLive). */
export async function createdBehindLive(tx: Queryable, rows: NewDelivery[], defer: BehindLive, after: number): Promise<string[]> {
  const ids = (await created(tx, rows)).map((d) => d.id);
  await deferBehindLive(tx, ids, defer, after);
  return ids;
}

/**
 * A failed run retried from its failed webhook step: the step's delivery (in the run's
 * current iteration, or `iteration`: a forked run's branch) is sent again rather than a second one created. False when the step
 * had no failed delivery (the run then re-executes the step).
 */
export async function stepRedelivered(tx: Queryable, runId: string, nodeId: string, iteration?: number): Promise<boolean> {
  const ids = await requeueFailedStepDelivery(tx, runId, nodeId, iteration);
  if (ids.length) await notifyDue(tx);
  return ids.length > 0;
}

// ── recovered ────────────────────────────────────────────────────────────────────────

/** `sending` deliveries whose lease expired (their worker died): due again, same webhook-id. */
export function leasesExpired(db: Queryable, limit?: number): Promise<number> {
  return reclaimExpiredLeases(db, limit);
}

/** Backstop for rows no claim would take (no next attempt time, a `sending` row with no lease): due again. */
export async function strandedRecovered(tx: Queryable, overdueMinutes: number, limit: number): Promise<number> {
  const n = await requeueStranded(tx, overdueMinutes, limit);
  if (n) await notifyDue(tx);
  return n;
}

// ── purged ───────────────────────────────────────────────────────────────────────────

/**
 * Retention: up to `limit` finished deliveries created before `cutoff`, with their
 * attempts (an attempt stays as long as its delivery; one in flight keeps its story).
 */
export async function purged(db: Queryable, cutoff: string, limit: number): Promise<{ deliveries: number; attempts: number }> {
  const ids = await oldFinishedDeliveryIds(db, cutoff, limit);
  if (ids.length === 0) return { deliveries: 0, attempts: 0 };
  let attempts = 0;
  for (;;) {
    const n = await deleteAttemptsOf(db, ids, limit);
    attempts += n;
    if (n < limit) break;
  }
  await deleteFinishedDeliveries(db, ids);
  return { deliveries: ids.length, attempts };
}

/** The rows a workflow is waiting on: run-owned deliveries that succeeded or failed for good. */
function settledSteps(rows: SettledRow[]): SettledStepDelivery[] {
  return rows
    .filter((r) => r.runId !== null && r.nodeId !== null && (r.status === 'succeeded' || r.status === 'failed'))
    .map((r) => ({ deliveryId: r.deliveryId, runId: r.runId!, nodeId: r.nodeId!, status: r.status as 'succeeded' | 'failed', attempts: r.attempts, statusCode: r.statusCode, error: r.error }));
}
