import type { AppContext } from '../../context.ts';
import { lockUnprocessed, markEventsProcessed, recordEventFailures, releaseEvents, type ClaimedEvent, type EventFailure } from '../../db/events.ts';
import { withTransaction } from '../../db/pool.ts';
import { applyEvent } from '../process-event.ts';
import { RunWrites } from '../runs/run-writes.ts';

/** Claims per event before it is parked for the sweeper (about 17 minutes of backoff). */
export const MAX_EVENT_ATTEMPTS = 10;

export interface BatchOutcome {
  processed: number;
  failed: number;
  statements: number;
}

/**
 * Processes claimed events (in seq order) in ONE transaction, each in its own savepoint:
 * an event that throws rolls back alone, records its error and waits for a retry, while
 * its neighbours commit. Later events of a failed event's subject are given back untried,
 * so a subject's events stay in order. The batch's runs, steps, deliveries and derived
 * events are written at the end with multi-row statements. If the batch as a whole fails
 * (at that flush, or the connection), each event is tried again in a transaction of its own.
 */
export async function processClaimed(app: AppContext, claimed: ClaimedEvent[]): Promise<BatchOutcome> {
  try {
    return await withTransaction(app.pool, async (tx) => {
      const live = await lockUnprocessed(tx, claimed.map((c) => c.envelope.id));
      const writes = new RunWrites();
      const done: string[] = [];
      const failures: EventFailure[] = [];
      const skipped: string[] = [];
      const blocked = new Set<string>();
      let statements = 2;
      for (const { envelope } of claimed) {
        if (!live.has(envelope.id)) continue;
        if (envelope.subject !== null && blocked.has(envelope.subject)) {
          skipped.push(envelope.id);
          continue;
        }
        const own = writes.child();
        await tx.query('savepoint event');
        try {
          await applyEvent(app, tx, own, envelope);
          await tx.query('release savepoint event');
          writes.absorb(own);
          done.push(envelope.id);
        } catch (error) {
          await tx.query('rollback to savepoint event');
          app.log.warn({ err: error, eventId: envelope.id }, 'event processing failed; it will be retried');
          failures.push({ id: envelope.id, error: (error as Error).message });
          if (envelope.subject !== null) blocked.add(envelope.subject);
        }
        statements += 2;
      }
      await writes.flush(app, tx);
      await markEventsProcessed(tx, done);
      await recordEventFailures(tx, failures, MAX_EVENT_ATTEMPTS);
      await releaseEvents(tx, skipped);
      statements += writes.statements + 1 + (failures.length ? 1 : 0) + (skipped.length ? 1 : 0);
      return { processed: done.length, failed: failures.length, statements };
    });
  } catch (error) {
    if (claimed.length > 1) return processOneByOne(app, claimed);
    const [one] = claimed;
    app.log.warn({ err: error, eventId: one!.envelope.id }, 'event processing failed; it will be retried');
    // If this fails too (the database is away), the lease runs out and the event comes back.
    await recordEventFailures(app.pool, [{ id: one!.envelope.id, error: (error as Error).message }], MAX_EVENT_ATTEMPTS).catch(() => {});
    return { processed: 0, failed: 1, statements: 0 };
  }
}

async function processOneByOne(app: AppContext, claimed: ClaimedEvent[]): Promise<BatchOutcome> {
  const total: BatchOutcome = { processed: 0, failed: 0, statements: 0 };
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
  }
  await releaseEvents(app.pool, skipped).catch(() => {});
  return total;
}
