import type { CheckedGraph, CheckedNode, DryRunResult, EventEnvelope, StepResult } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import { matchesTrigger } from '../matching.ts';
import { nextNode, runExecutor } from './execute.ts';
import { buildScope } from './scope.ts';

/**
 * Runs a graph against a sample event with no side effects: actions report what they
 * would do, delays do not wait. Returns the path taken and each step's output.
 */
export async function dryRun(app: AppContext, graph: CheckedGraph, event: EventEnvelope): Promise<DryRunResult> {
  const scope0 = await buildScope(app.pool, event, {});
  const skipped = matchesTrigger(graph.trigger.config, event, scope0);
  if (skipped) return { path: [], steps: [], status: 'skipped', skippedReason: skipped };
  const path: string[] = [];
  const steps: StepResult[] = [];
  let vars: Record<string, unknown> = {};
  let nodeId: string | undefined = graph.trigger.id;
  const run = { id: 'dry-run', workflow_id: 'dry-run', depth: event.chain.length };
  while (nodeId && path.length < graph.nodes.size) {
    const node: CheckedNode = graph.nodes.get(nodeId)!;
    path.push(node.id);
    const scope = { ...scope0, vars };
    const started = new Date().toISOString();
    let outcome;
    try {
      outcome = await runExecutor(node.type, node.config, { app, tx: undefined, run, nodeId, event, scope, resumed: undefined });
    } catch (error) {
      outcome = { kind: 'fail' as const, error: (error as Error).message };
    }
    const base = { nodeId: node.id, nodeType: node.type, input: { config: node.config, vars }, output: outcome.output ?? null, startedAt: started, finishedAt: new Date().toISOString() };
    if (outcome.kind === 'fail') {
      steps.push({ ...base, status: 'failed', error: outcome.error });
      return { path, steps, status: 'failed' };
    }
    steps.push({ ...base, status: outcome.kind === 'wait' ? 'waiting' : 'succeeded' });
    if (outcome.kind === 'wait') return { path, steps, status: 'waiting' };
    if (outcome.kind === 'next' && outcome.vars) vars = { ...vars, ...outcome.vars };
    nodeId = outcome.kind === 'next' ? nextNode(graph, node.id, node.type, outcome.handle) : undefined;
  }
  return { path, steps, status: 'succeeded' };
}
