import crypto from 'node:crypto';
import type { EventEnvelope } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import { readBatch } from '../../db/batch-reads.ts';
import type { BirthLease, ClaimedDelivery } from '../../db/deliveries.ts';
import { lockUnprocessed, markEventsProcessed, recordEventFailures, releaseEvents, releaseEventSavepoint, rollbackToEventSavepoint, savepointEvent, type ClaimedEvent, type EventFailure } from '../../db/events.ts';
import { withTransaction, type PoolClient } from '../../db/pool.ts';
import { subscriptionPatterns } from '../../delivery/fan-out.ts';
import { settingOf } from '../../settings.ts';
import { applyEvent, triggersKey } from '../process-event.ts';
import { RunWrites } from '../runs/run-writes.ts';
import { CHAIN_LIMIT_KEY } from '../runs/state-machine.ts';
import { wakeWaitingRuns, waitsKey } from '../runs/wait-matching.ts';
import { CustomerBook } from '../state/customer-book.ts';
import { ProductBook } from '../state/product-book.ts';

/** How long a batch applies events before it lets the process's other work (ingest's requests) run. */
const YIELD_EVERY_MS = 4;

/** Claims per event before it is parked for the sweeper (about 17 minutes of backoff). */
export const MAX_EVENT_ATTEMPTS = 10;

export interface BatchOutcome {
  processed: number;
  failed: number;
  /** Statements the batch's transaction ran, begin and commit included. */
  statements: number;
  /** Deliveries the batch made that were born leased to this process (sent by its delivery worker once committed). */
  claims: ClaimedDelivery[];
  /** Deliveries the batch left pending for a claim. */
  pending: number;
  /** Events the batch derived, born leased to this process (handed to its event worker once committed). */
  bornEvents: ClaimedEvent[];
}

/** Thrown in the optimistic pass: some event failed, redo the batch with savepoints. */
class EventFailedOptimistically extends Error {}

/**
 * Processes claimed events (in seq order) in ONE transaction. An event that throws rolls
 * back alone, records its error and waits for a retry, while its neighbours commit; later
 * events of a failed event's subject are given back untried, so a subject's events stay in
 * order. The batch's runs, steps, deliveries and derived events are written at the end with
 * multi-row statements.
 *
 * Isolation per event is a SAVEPOINT per event, but only when needed: the batch first runs
 * without them (two round trips less per event, most of a batch's statements); if any
 * event throws, that transaction is rolled back and the batch runs again with a savepoint
 * per event. If the batch as a whole fails (at its flush, or the connection), each event is
 * tried again in a transaction of its own.
 */
export async function processClaimed(app: AppContext, claimed: ClaimedEvent[]): Promise<BatchOutcome> {
  try {
    try {
      return await withTransaction(app.pool, (tx) => processIn(app, tx, claimed, false));
    } catch (error) {
      if (!(error instanceof EventFailedOptimistically)) throw error;
      return await withTransaction(app.pool, (tx) => processIn(app, tx, claimed, true));
    }
  } catch (error) {
    if (claimed.length > 1) return processOneByOne(app, claimed);
    const [one] = claimed;
    app.log.warn({ err: error, eventId: one!.envelope.id }, 'event processing failed; it will be retried');
    // If this fails too (the database is away), the lease runs out and the event comes back.
    await recordEventFailures(app.pool, [{ id: one!.envelope.id, error: (error as Error).message }], MAX_EVENT_ATTEMPTS).catch(() => {});
    return { processed: 0, failed: 1, statements: 0, claims: [], pending: 0, bornEvents: [] };
  }
}

async function processIn(app: AppContext, tx: PoolClient, claimed: ClaimedEvent[], savepoints: boolean): Promise<BatchOutcome> {
  const live = await lockUnprocessed(tx, claimed.map((c) => c.envelope.id), claimed.some((c) => c.bornLeased));
  const writes = await batchWrites(tx, claimed.filter((c) => live.get(c.envelope.id)?.blocked === false).map((c) => c.envelope));
  writes.lease = birthLease(app);
  // Derived events stay with this process too, in order with what its ingest hands over.
  writes.eventLease = app.bus.get('eventsBornLeased')?.leaseSeconds() ?? undefined;
  const done: string[] = [];
  const failures: EventFailure[] = [];
  const skipped: string[] = [];
  const blocked = new Set<string>();
  let statements = 3; // begin, lock, commit
  let since = performance.now();
  for (const { envelope } of claimed) {
    const state = live.get(envelope.id);
    if (!state) continue;
    // Applied in memory, a batch's events would hold the thread from its reads to its flush
    // (tens of ms for 200 events) while requests wait: let them in every few milliseconds.
    if (performance.now() - since > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
    // Given back untried: behind a failed event of its subject, or behind an earlier one still unprocessed elsewhere.
    if (state.blocked || (envelope.subject !== null && blocked.has(envelope.subject))) {
      if (envelope.subject !== null) blocked.add(envelope.subject);
      skipped.push(envelope.id);
      continue;
    }
    const own = writes.child();
    if (savepoints) {
      await savepointEvent(tx);
      statements += 2;
    }
    try {
      await applyEvent(app, tx, own, envelope);
      await wakeWaitingRuns(app, tx, own, envelope);
      if (savepoints) await releaseEventSavepoint(tx);
      writes.absorb(own);
      done.push(envelope.id);
    } catch (error) {
      if (!savepoints) throw new EventFailedOptimistically((error as Error).message);
      await rollbackToEventSavepoint(tx);
      app.log.warn({ err: error, eventId: envelope.id }, 'event processing failed; it will be retried');
      failures.push({ id: envelope.id, error: (error as Error).message });
      // What it changed in memory (its customer) went with its child buffer.
      if (envelope.subject !== null) blocked.add(envelope.subject);
    }
  }
  await writes.flush(app, tx);
  await markEventsProcessed(tx, done);
  await recordEventFailures(tx, failures, MAX_EVENT_ATTEMPTS);
  await releaseEvents(tx, skipped);
  statements += writes.statements + 1 + (failures.length ? 1 : 0) + (skipped.length ? 1 : 0);
  return { processed: done.length, failed: failures.length, statements, claims: writes.claims, pending: writes.pendingDeliveries, bornEvents: writes.bornEvents };
}

/**
 * The batch's buffer, with what its events will read before they are applied, read in one
 * statement (db/batch-reads.ts): routing rows and waits of its event types, the settings the
 * engine applies, the customer book's settings, ledger entries and read-only customers, and
 * the endpoints subscribed to its types. Then its customers and products, locked (the books).
 */
async function batchWrites(tx: PoolClient, events: EventEnvelope[]): Promise<RunWrites> {
  const needs = CustomerBook.needs(events);
  const types = [...new Set(events.map((e) => e.type))];
  const reads = await readBatch(tx, {
    types,
    settingKeys: ['maxChainDepth', 'ltvTiers', 'lifecycle'],
    orderIds: needs.orderIds,
    customerIds: needs.read,
    patterns: [...new Set(types.flatMap(subscriptionPatterns))],
  });
  const stored = (key: string) => (reads.settings.has(key) ? { value: reads.settings.get(key) } : undefined);
  const book = await CustomerBook.load(tx, events, {
    settings: { tiers: settingOf('ltvTiers', stored('ltvTiers')), lifecycle: settingOf('lifecycle', stored('lifecycle')), segments: reads.segments },
    ledger: reads.ledger,
    readRows: reads.customers,
  });
  const writes = new RunWrites(book, undefined, undefined, await ProductBook.load(tx, events));
  writes.subscriptions = { types: new Set(types), endpoints: reads.subscriptions };
  for (const [type, rows] of reads.triggers) writes.prime(triggersKey(type), rows);
  for (const type of types) writes.prime(waitsKey(type), reads.waitedTypes.has(type));
  writes.prime(CHAIN_LIMIT_KEY, settingOf('maxChainDepth', stored('maxChainDepth')));
  return writes;
}

/**
 * A process that sends (its delivery worker is listening on the bus) takes the batch's
 * deliveries at birth: no claim round trip, sent from memory right after the commit.
 */
function birthLease(app: AppContext): BirthLease | undefined {
  if (!app.bus.get('deliveriesLeased')) return undefined;
  return { token: crypto.randomUUID(), seconds: app.config.deliveryLeaseSeconds, failureWindowSeconds: app.config.endpointFailureWindowMs / 1000 };
}

async function processOneByOne(app: AppContext, claimed: ClaimedEvent[]): Promise<BatchOutcome> {
  const total: BatchOutcome = { processed: 0, failed: 0, statements: 0, claims: [], pending: 0, bornEvents: [] };
  const blocked = new Set<string>();
  const skipped: string[] = [];
  for (const c of claimed) {
    if (c.envelope.subject !== null && blocked.has(c.envelope.subject)) {
      skipped.push(c.envelope.id);
      continue;
    }
    const r = await processClaimed(app, [c]);
    if (r.failed && c.envelope.subject !== null) blocked.add(c.envelope.subject);
    total.processed += r.processed;
    total.failed += r.failed;
    total.statements += r.statements;
    total.claims.push(...r.claims);
    total.pending += r.pending;
    total.bornEvents.push(...r.bornEvents);
  }
  await releaseEvents(app.pool, skipped).catch(() => {});
  return total;
}
