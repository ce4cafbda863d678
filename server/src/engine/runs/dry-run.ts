import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { childBranchId, type CheckedGraph, type DryRunResult, type EventEnvelope, type StepResult } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import { matchesTrigger } from '../matching.ts';
import { buildScope } from './scope.ts';
import { runSlice, type RecordedStep } from './step-loop.ts';

/**
 * A dry run's work budget. A dry run is a person's request, answered in one response, so it
 * is bounded however big the graph: at most this many steps (a 1,000-item loop over two or
 * three steps fits), at most this much JSON answered (each step's input holds the run's
 * vars, so a long run grows quadratically), and never more than a slice of steps between
 * two turns of the event loop, so ingestion and /healthz keep answering meanwhile.
 */
export const DRY_RUN_MAX_STEPS = 3000;
export const DRY_RUN_MAX_BYTES = 2 * 1024 * 1024;
export const DRY_RUN_SLICE_STEPS = 50;

/**
 * Runs a graph against a sample event with no side effects, through the same step loop as
 * live runs in `dry` mode: actions report what they would do, delays do not wait.
 * Returns the path taken and each step's output (after a fork, each branch's steps in turn, labelled with their branch). `live`: HTTP request steps call out.
 * `waits: 'received'`: each wait_for_event step gets a simulated event and takes `received`.
 * Past its step or size budget it stops with status `stopped` and says which budget.
 */
export async function dryRun(app: AppContext, graph: CheckedGraph, event: EventEnvelope, options: { live?: boolean; waits?: 'timeout' | 'received' } = {}): Promise<DryRunResult> {
  const scope = await buildScope(app.pool, event, {});
  const skipped = matchesTrigger(graph.trigger.config, event, scope);
  if (skipped) return { path: [], steps: [], status: 'skipped', skippedReason: skipped };
  const run = { id: 'dry-run', workflow_id: 'dry-run', depth: event.chain.length, status: 'running' };
  const recorded: RecordedStep[] = [];
  const steps: StepResult[] = [];
  let bytes = 0;
  // The trunk, then (after a fork) each branch in canvas order, each to its end: a branch that
  // forks again has its own branches run right after it, as a live run's pass does (branches.ts).
  type Cursor = { branch: string | null; nodeId: string; vars: Record<string, unknown>; loop: Parameters<typeof runSlice>[2]['loop'] };
  const cursors: Cursor[] = [{ branch: null, nodeId: graph.trigger.id, vars: {}, loop: null }];
  const ends: string[] = [];
  for (let i = 0; i < cursors.length; i++) {
    let start = cursors[i]!;
    for (;;) {
      const room = DRY_RUN_MAX_STEPS - recorded.length;
      const slice = await runSlice(app, { kind: 'dry', live: options.live === true, waits: options.waits ?? 'timeout' }, { graph, run, event, ...start, existing: undefined, scope, maxSteps: Math.min(DRY_RUN_SLICE_STEPS, room) });
      for (const s of slice.steps) {
        const result = stepResult(s, start.branch);
        bytes += Buffer.byteLength(JSON.stringify(result));
        if (bytes > DRY_RUN_MAX_BYTES) {
          return stopped(recorded, steps, `the dry run stopped at step ${s.nodeId} after ${steps.length} steps: its result passed the ${DRY_RUN_MAX_BYTES / 1048576} MB a dry run may answer`);
        }
        recorded.push(s);
        steps.push(result);
      }
      if (slice.end.kind === 'fork') {
        const parent = start.branch;
        const vars = slice.vars;
        cursors.splice(i + 1, 0, ...slice.end.targets.map((nodeId, n) => ({ branch: childBranchId(parent, n + 1), nodeId, vars, loop: null })));
        break;
      }
      if (slice.end.kind !== 'yield') {
        ends.push(slice.end.kind);
        break;
      }
      if (recorded.length >= DRY_RUN_MAX_STEPS) {
        return stopped(recorded, steps, `the dry run stopped before step ${slice.end.nodeId}: it ran the ${DRY_RUN_MAX_STEPS} steps a dry run may run`);
      }
      start = { ...start, nodeId: slice.end.nodeId, vars: slice.vars, loop: slice.loop };
      // Let other requests and the workers in before the next slice.
      await yieldToEventLoop();
    }
  }
  // Every branch ended: failed if any failed, else waiting if any would wait.
  const status = ends.includes('failed') ? 'failed' : ends.includes('wait') ? 'waiting' : 'succeeded';
  return { path: recorded.map((s) => s.nodeId), steps, status };
}

function stopped(recorded: RecordedStep[], steps: StepResult[], reason: string): DryRunResult {
  return { path: recorded.map((s) => s.nodeId), steps, status: 'stopped', stoppedReason: reason };
}

function stepResult(s: RecordedStep, branch: string | null): StepResult {
  const base = {
    nodeId: s.nodeId,
    nodeType: s.nodeType,
    ...(s.iteration >= 0 ? { iteration: s.iteration } : {}),
    ...(branch ? { branch } : {}),
    input: s.input,
    output: s.outcome.output ?? null,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
  };
  if (s.outcome.kind === 'fail') return { ...base, status: 'failed', error: s.outcome.error };
  return { ...base, status: s.outcome.kind === 'wait' ? 'waiting' : 'succeeded' };
}
