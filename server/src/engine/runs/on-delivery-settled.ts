import type { AppContext } from '../../context.ts';
import { loadEventsOfRuns } from '../../db/events.ts';
import { savepoint, type PoolClient } from '../../db/pool.ts';
import type { SettledStepDelivery } from '../../delivery/hooks.ts';
import { loadCustomers } from '../state/customers.ts';
import { RunWrites } from './run-writes.ts';
import { resumeRuns } from './state-machine.ts';

/**
 * The engine's side of delivery's settled hook: resumes the runs whose webhook step's
 * delivery settled, right in the delivery's transaction (no job hop, no extra commit),
 * all of them with one lock statement and one flush. What each resumed run reads (its
 * event, its customer, its delivery's outcome) is read for the whole batch up front: two
 * statements for the batch instead of three per run. On a database error the resume is
 * rolled back alone and `run.execute` jobs (with their retries) take over.
 */
export async function resumeSettledRuns(app: AppContext, tx: PoolClient, runIds: string[], settled: SettledStepDelivery[] = []): Promise<void> {
  const ids = [...new Set(runIds)];
  if (ids.length === 0) return;
  await savepoint.open(tx, 'resume_runs');
  try {
    const events = await loadEventsOfRuns(tx, ids);
    const customerIds = [...new Set([...events.values()].map((e) => e.data.customerId).filter((id): id is string => typeof id === 'string'))];
    const writes = new RunWrites(undefined, await loadCustomers(tx, customerIds));
    for (const [id, event] of events) writes.prime(`event:${id}`, event);
    // The outcome as this transaction just wrote it (status, attempts, code, error of the delivery row).
    for (const s of settled) writes.prime(`delivery:${s.deliveryId}`, { status: s.status, attempt_count: s.attempts, last_status_code: s.statusCode, last_error: s.error });
    await resumeRuns(app, tx, writes, ids);
    await writes.flush(app, tx);
    await savepoint.release(tx, 'resume_runs');
  } catch (error) {
    await savepoint.rollback(tx, 'resume_runs');
    app.log.warn({ err: error, runIds: ids }, 'resuming runs inline failed; queued as jobs');
    const writes = new RunWrites();
    writes.jobs.push(...ids.map((runId) => ({ runId })));
    await writes.flush(app, tx);
  }
}
