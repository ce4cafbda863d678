import type { PoolClient } from '../../../db/pool.ts';
import type { StepContext } from '../types.ts';

/**
 * The one place the new steps read whether they run for real. Today a dry run is
 * `step.tx === undefined`; the redesigned loop passes `step.mode` ({kind: 'live', tx} |
 * {kind: 'dry', live?}) and only these two functions change.
 */
export function liveTx(step: StepContext): PoolClient | undefined {
  return step.tx;
}

/** A dry run whose caller asked HTTP request steps to call out for real (`live: true`). */
export function dryRunCallsOut(step: StepContext): boolean {
  return (step as StepContext & { mode?: { kind: string; live?: boolean } }).mode?.live === true;
}
