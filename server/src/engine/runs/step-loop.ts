import type { CheckedGraph, CheckedNode, EventEnvelope, NodeConfig, NodeType } from '@tripline/shared';
import { nodeDefinitions } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import { executors } from './executors/index.ts';
import type { DeliveryIntent, RunMode, RunRow, StepContext, StepOutcome } from './types.ts';

/** A cap on steps per slice, so a huge workflow yields the worker now and then. */
export const MAX_STEPS_PER_SLICE = 200;

export function runExecutor<T extends NodeType>(type: T, config: Record<string, unknown>, step: StepContext): Promise<StepOutcome> {
  return executors[type](config as NodeConfig<T>, step);
}

export function nextNode(graph: CheckedGraph, nodeId: string, type: NodeType, handle?: string): string | undefined {
  const outputs = nodeDefinitions[type].outputs;
  const h = handle ?? outputs[0];
  return h === undefined ? undefined : graph.next.get(nodeId)?.get(h);
}

export interface SliceStart {
  graph: CheckedGraph;
  run: Pick<RunRow, 'id' | 'workflow_id' | 'depth' | 'status'>;
  event: EventEnvelope;
  nodeId: string;
  vars: Record<string, unknown>;
  /** The step row at `nodeId`, if one exists (a waiting step being woken, a failed one retried). */
  existing: { status: string; output: unknown; seq: number } | undefined;
  /** The scope without vars: the envelope and the customer, loaded once per slice. */
  scope: Record<string, unknown>;
  maxSteps: number;
}

export interface RecordedStep {
  nodeId: string;
  nodeType: NodeType;
  input: { config: unknown; vars: Record<string, unknown> };
  outcome: StepOutcome;
  /** The seq of the step row it replaces, when there is one. */
  seq: number | undefined;
  startedAt: string;
  finishedAt: string;
}

/** Where a slice stopped. `stay`: nothing to do (a waiting step the run is not waiting for). */
export type SliceEnd =
  | { kind: 'wait'; nodeId: string; resumeAt?: Date; deliver?: DeliveryIntent }
  | { kind: 'succeeded' }
  | { kind: 'failed'; nodeId: string; error: string }
  | { kind: 'yield'; nodeId: string }
  | { kind: 'stay' };

export interface SliceResult {
  steps: RecordedStep[];
  end: SliceEnd;
  vars: Record<string, unknown>;
}

/**
 * The one step loop, for live runs and dry runs alike: from `nodeId`, run each step's
 * executor and follow its handle until a step waits, fails or ends, or the cap is reached.
 * It writes nothing itself: the caller (the state machine, or the dry run) decides what the
 * recorded steps and the end mean.
 */
export async function runSlice(app: AppContext, mode: RunMode, start: SliceStart): Promise<SliceResult> {
  const { graph, run, event } = start;
  const steps: RecordedStep[] = [];
  let vars = start.vars;
  let nodeId: string | undefined = start.nodeId;
  for (let n = 0; nodeId && n < start.maxSteps; n++) {
    const node: CheckedNode = graph.nodes.get(nodeId)!;
    // Only the node a slice starts at can have a step row already: the graph is acyclic.
    const existing = n === 0 ? start.existing : undefined;
    if (existing?.status === 'waiting' && run.status !== 'waiting') return { steps, end: { kind: 'stay' }, vars };
    const resumed: StepContext['resumed'] = existing?.status === 'waiting' ? { output: existing.output } : undefined;
    const input = { config: node.config, vars };
    const startedAt = new Date().toISOString();
    let outcome: StepOutcome;
    try {
      // A step after an `error` output sees the failure at the top-level `error` too.
      const scope = { ...start.scope, vars, ...(vars.error !== undefined ? { error: vars.error } : {}) };
      outcome = await runExecutor(node.type, node.config, { app, mode, run, nodeId, event, scope, resumed });
    } catch (error) {
      outcome = { kind: 'fail', error: (error as Error).message };
    }
    steps.push({ nodeId, nodeType: node.type, input, outcome, seq: existing?.seq, startedAt, finishedAt: new Date().toISOString() });
    if (outcome.kind === 'wait') return { steps, end: { kind: 'wait', nodeId, resumeAt: outcome.resumeAt, deliver: outcome.deliver }, vars };
    if (outcome.kind === 'fail') {
      // Failed for good (executors retry before they fail): continue on `error` when it is
      // connected, with the failure in scope; otherwise the run fails. The one place for
      // every step type, live or dry, in the first slice or a resumed one (a webhook's delivery).
      const onError = nodeDefinitions[node.type].outputs.includes('error') ? nextNode(graph, node.id, node.type, 'error') : undefined;
      if (!onError) return { steps, end: { kind: 'failed', nodeId, error: outcome.error }, vars };
      vars = { ...vars, error: { nodeId, message: outcome.error } };
      nodeId = onError;
      continue;
    }
    if (outcome.kind === 'next' && outcome.vars) vars = { ...vars, ...outcome.vars };
    nodeId = outcome.kind === 'next' ? nextNode(graph, node.id, node.type, outcome.handle) : undefined;
  }
  return { steps, end: nodeId ? { kind: 'yield', nodeId } : { kind: 'succeeded' }, vars };
}
