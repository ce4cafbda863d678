import type { AppContext } from '../../context.ts';
import { savepoint, type PoolClient } from '../../db/pool.ts';
import { lockRunsWithEvents } from '../../db/runs.ts';
import type { SettledStepDelivery } from '../../bus.ts';
import { findCustomerStates } from '../../db/state.ts';
import { CustomerBook } from '../state/customer-book.ts';
import { RunWrites } from './run-writes.ts';
import { resumeLocked } from './state-machine.ts';

/**
 * The engine's side of delivery's settled hook: resumes the runs whose webhook step's
 * delivery settled, right in the delivery's transaction (no job hop, no extra commit),
 * all of them with one lock statement (which reads their events too) and one flush. What
 * each resumed run reads (its event, its customer, its delivery's outcome) is read for the
 * whole batch up front: two statements for the batch instead of three per run.
 *
 * `isolated`: on a database error the resume is rolled back alone (a savepoint) and
 * `run.execute` jobs (with their retries) take over. Not isolated (the delivery worker's
 * first, optimistic try): no savepoint, and an error fails the caller's transaction, which
 * the worker then redoes isolated. Either way no outcome is lost to a failed resume.
 */
export async function resumeSettledRuns(
  app: AppContext,
  tx: PoolClient,
  runIds: string[],
  settled: SettledStepDelivery[] = [],
  { isolated = true }: { isolated?: boolean } = {},
): Promise<void> {
  const ids = [...new Set(runIds)];
  if (ids.length === 0) return;
  if (!isolated) return resumeInline(app, tx, ids, settled);
  await savepoint.open(tx, 'resume_runs');
  try {
    await resumeInline(app, tx, ids, settled);
    await savepoint.release(tx, 'resume_runs');
  } catch (error) {
    await savepoint.rollback(tx, 'resume_runs');
    app.log.warn({ err: error, runIds: ids }, 'resuming runs inline failed; queued as jobs');
    const writes = new RunWrites();
    writes.jobs.push(...ids.map((runId) => ({ runId })));
    await writes.flush(app, tx);
  }
}

async function resumeInline(app: AppContext, tx: PoolClient, ids: string[], settled: SettledStepDelivery[]): Promise<void> {
  const locked = await lockRunsWithEvents(tx, ids);
  const customerIds = [...new Set(locked.map(({ event }) => event?.data.customerId).filter((id): id is string => typeof id === 'string'))];
  const writes = new RunWrites(CustomerBook.readOnly(await findCustomerStates(tx, customerIds), customerIds));
  for (const { event } of locked) if (event) writes.prime(`event:${event.id}`, event);
  // The outcome as this transaction just wrote it (status, attempts, code, error of the delivery row).
  for (const s of settled) writes.prime(`delivery:${s.deliveryId}`, { status: s.status, attempt_count: s.attempts, last_status_code: s.statusCode, last_error: s.error });
  for (const { run } of locked) await resumeLocked(app, tx, writes, run);
  await writes.flush(app, tx);
}
