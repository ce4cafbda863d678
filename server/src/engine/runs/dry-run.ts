import type { CheckedGraph, DryRunResult, EventEnvelope, StepResult } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import { matchesTrigger } from '../matching.ts';
import { buildScope } from './scope.ts';
import { FOR_EACH_LIMIT } from '@tripline/shared';
import { runSlice } from './step-loop.ts';

/**
 * Runs a graph against a sample event with no side effects, through the same step loop as
 * live runs in `dry` mode: actions report what they would do, delays do not wait.
 * Returns the path taken and each step's output. `live`: HTTP request steps call out.
 */
export async function dryRun(app: AppContext, graph: CheckedGraph, event: EventEnvelope, options: { live?: boolean } = {}): Promise<DryRunResult> {
  const scope = await buildScope(app.pool, event, {});
  const skipped = matchesTrigger(graph.trigger.config, event, scope);
  if (skipped) return { path: [], steps: [], status: 'skipped', skippedReason: skipped };
  const run = { id: 'dry-run', workflow_id: 'dry-run', depth: event.chain.length, status: 'running' };
  // Every step at most once per iteration (the graph is acyclic, loops do not nest).
  const maxSteps = graph.nodes.size * (FOR_EACH_LIMIT + 1);
  const slice = await runSlice(app, { kind: 'dry', live: options.live === true }, { graph, run, event, nodeId: graph.trigger.id, vars: {}, existing: undefined, scope, maxSteps, loop: null });
  const steps: StepResult[] = slice.steps.map((s) => {
    const base = {
      nodeId: s.nodeId,
      nodeType: s.nodeType,
      ...(s.iteration >= 0 ? { iteration: s.iteration } : {}),
      input: s.input,
      output: s.outcome.output ?? null,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
    };
    if (s.outcome.kind === 'fail') return { ...base, status: 'failed', error: s.outcome.error };
    return { ...base, status: s.outcome.kind === 'wait' ? 'waiting' : 'succeeded' };
  });
  const status = slice.end.kind === 'failed' ? 'failed' : slice.end.kind === 'wait' ? 'waiting' : 'succeeded';
  return { path: slice.steps.map((s) => s.nodeId), steps, status };
}
