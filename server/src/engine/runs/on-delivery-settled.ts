import type { AppContext } from '../../context.ts';
import type { PoolClient } from '../../db/pool.ts';
import { RunWrites } from './run-writes.ts';
import { resumeRuns } from './state-machine.ts';

/**
 * The engine's side of delivery's settled hook: resumes the runs whose webhook step's
 * delivery settled, right in the delivery's transaction (no job hop, no extra commit),
 * all of them with one lock statement and one flush. On a database error the resume is
 * rolled back alone and `run.execute` jobs (with their retries) take over.
 */
export async function resumeSettledRuns(app: AppContext, tx: PoolClient, runIds: string[]): Promise<void> {
  const ids = [...new Set(runIds)];
  if (ids.length === 0) return;
  await tx.query('savepoint resume_runs');
  try {
    const writes = new RunWrites();
    await resumeRuns(app, tx, writes, ids);
    await writes.flush(app, tx);
    await tx.query('release savepoint resume_runs');
  } catch (error) {
    await tx.query('rollback to savepoint resume_runs');
    app.log.warn({ err: error, runIds: ids }, 'resuming runs inline failed; queued as jobs');
    const writes = new RunWrites();
    writes.jobs.push(...ids.map((runId) => ({ runId })));
    await writes.flush(app, tx);
  }
}
