import type { PoolClient } from '../../../db/pool.ts';
import type { StepContext } from '../types.ts';

/** The run's transaction when the step runs for real; undefined in a dry run. */
export function liveTx(step: StepContext): PoolClient | undefined {
  return step.mode.kind === 'live' ? step.mode.tx : undefined;
}

/** A dry run whose caller asked HTTP request steps to call out for real (`live: true`). */
export function dryRunCallsOut(step: StepContext): boolean {
  return step.mode.kind === 'dry' && step.mode.live === true;
}
