import type { CheckedGraph, CheckedNode, EventEnvelope, NodeConfig, NodeType } from '@tripline/shared';
import { nodeDefinitions } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import { executors } from './executors/index.ts';
import { enterLoop, iterationOf, loopScope, nextIteration, type LoopMove } from './loop.ts';
import type { DeliveryIntent, LoopFrame, RunMode, RunRow, StepContext, StepOutcome, WaitIntent, WakeSignal } from './types.ts';

/** A cap on steps per slice, so a huge workflow yields the worker now and then. */
export const MAX_STEPS_PER_SLICE = 200;

/**
 * Steps that call out (http_request) or run code: they never run inside a transaction, so
 * one slow step cannot hold an event batch (and every other customer's events) or a
 * delivery batch. A live slice parks the run at such a step (it yields, and a run.execute
 * job continues it); the job runs the step before opening its transaction and hands the
 * outcome in as `SliceStart.first`. A woocommerce step also waits between its attempts (a
 * durable backoff): its timer's job runs the waiting step the same way, outside a transaction.
 */
export const CALLS_OUT: ReadonlySet<NodeType> = new Set<NodeType>(['code', 'http_request', 'woocommerce']);

export function runExecutor<T extends NodeType>(type: T, config: Record<string, unknown>, step: StepContext): Promise<StepOutcome> {
  return executors[type](config as NodeConfig<T>, step);
}

/** The steps an output leads to, in canvas order: none (the branch ends), one, or several (a fork). */
export function nextNodes(graph: CheckedGraph, nodeId: string, type: NodeType, handle?: string): readonly string[] {
  const outputs = nodeDefinitions[type].outputs;
  const h = handle ?? outputs[0];
  return (h === undefined ? undefined : graph.next.get(nodeId)?.get(h)) ?? [];
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
  /** The for_each loop the run is inside (stored on the run between slices). */
  loop: LoopFrame | null;
  /** What woke the waiting step at `nodeId`, when the waker knows (an event a wait matched). */
  signal?: WakeSignal;
  /** The step at `nodeId`, already run outside the transaction (a call-out step): recorded, not run again. */
  first?: RecordedStep;
}

export interface RecordedStep {
  nodeId: string;
  nodeType: NodeType;
  input: { config: unknown; vars: Record<string, unknown> };
  outcome: StepOutcome;
  /** The seq of the step row it replaces, when there is one. */
  seq: number | undefined;
  /** The for_each iteration it ran in; -1 outside a loop. */
  iteration: number;
  startedAt: string;
  finishedAt: string;
}

/** Where a slice stopped. `stay`: nothing to do (a waiting step the run is not waiting for). */
export type SliceEnd =
  | { kind: 'wait'; nodeId: string; resumeAt?: Date; deliver?: DeliveryIntent; waitFor?: WaitIntent }
  | { kind: 'succeeded' }
  | { kind: 'failed'; nodeId: string; error: string }
  | { kind: 'yield'; nodeId: string }
  /**
   * The output of `nodeId` leads to several steps: each starts its own branch (with a copy
   * of the slice's vars), in this order. The caller (state machine, dry run) runs them.
   */
  | { kind: 'fork'; nodeId: string; targets: readonly string[] }
  | { kind: 'stay' };

export interface SliceResult {
  steps: RecordedStep[];
  end: SliceEnd;
  vars: Record<string, unknown>;
  /** The loop the run is inside where the slice stopped. */
  loop: LoopFrame | null;
}

/**
 * The one step loop, for live runs and dry runs alike: from `nodeId`, run each step's
 * executor and follow its handle until a step waits, fails or ends, or the cap is reached.
 * Inside a for_each (loop.ts), the end of the `each` branch moves to the next item, and
 * after the last one to `done`; a `stop` ends the run. It writes nothing itself: the
 * caller (the state machine, or the dry run) decides what the recorded steps and the end mean.
 */
export async function runSlice(app: AppContext, mode: RunMode, start: SliceStart): Promise<SliceResult> {
  const { graph, run, event } = start;
  const steps: RecordedStep[] = [];
  let vars = start.vars;
  let loop = start.loop;
  let nodeId: string | undefined = start.nodeId;
  for (let n = 0; nodeId && n < start.maxSteps; n++) {
    const node: CheckedNode = graph.nodes.get(nodeId)!;
    // Only the node a slice starts at can have a step row already (in this iteration): the graph is acyclic.
    const existing = n === 0 ? start.existing : undefined;
    if (existing?.status === 'waiting' && run.status !== 'waiting') return { steps, end: { kind: 'stay' }, vars, loop };
    const precomputed = n === 0 && start.first?.nodeId === nodeId ? start.first : undefined;
    if (precomputed) {
      steps.push({ ...precomputed, seq: existing?.seq });
      const moved = follow(graph, node, precomputed.outcome, vars, loop);
      if (moved.end) return { steps, end: moved.end, vars: moved.vars, loop: moved.loop };
      ({ loop, vars, nodeId } = moved);
      continue;
    }
    if (mode.kind === 'live' && !mode.callOut && CALLS_OUT.has(node.type)) {
      // A call-out step waiting between attempts is run by its timer's job before the transaction
      // (state-machine callOutFirst); inside one it stays parked rather than yield to nobody.
      if (existing?.status === 'waiting') return { steps, end: { kind: 'stay' }, vars, loop };
      return { steps, end: { kind: 'yield', nodeId }, vars, loop };
    }
    const resumed: StepContext['resumed'] = existing?.status === 'waiting' ? { output: existing.output, ...(start.signal ? { signal: start.signal } : {}) } : undefined;
    const input = { config: node.config, vars };
    const iteration = iterationOf(loop);
    const startedAt = new Date().toISOString();
    let outcome: StepOutcome;
    try {
      // A step after an `error` output sees the failure at the top-level `error` too.
      const scope = { ...start.scope, vars, ...loopScope(loop), ...(vars.error !== undefined ? { error: vars.error } : {}) };
      outcome = await runExecutor(node.type, node.config, { app, mode, run, nodeId, event, scope, resumed, iteration });
    } catch (error) {
      outcome = { kind: 'fail', error: (error as Error).message };
    }
    steps.push({ nodeId, nodeType: node.type, input, outcome, seq: existing?.seq, iteration, startedAt, finishedAt: new Date().toISOString() });
    const moved = follow(graph, node, outcome, vars, loop);
    if (moved.end) return { steps, end: moved.end, vars: moved.vars, loop: moved.loop };
    ({ loop, vars, nodeId } = moved);
  }
  return { steps, end: nodeId ? { kind: 'yield', nodeId } : { kind: 'succeeded' }, vars, loop };
}

/** Where a step's outcome leads: the end of the slice, or the next node (with the vars and loop it runs in). */
function follow(
  graph: CheckedGraph,
  node: CheckedNode,
  outcome: StepOutcome,
  vars: Record<string, unknown>,
  loop: LoopFrame | null,
): { end: SliceEnd; vars: Record<string, unknown>; loop: LoopFrame | null } | { end?: undefined; nodeId: string | undefined; vars: Record<string, unknown>; loop: LoopFrame | null } {
  const nodeId = node.id;
  if (outcome.kind === 'wait') return { end: { kind: 'wait', nodeId, resumeAt: outcome.resumeAt, deliver: outcome.deliver, waitFor: outcome.waitFor }, vars, loop };
  if (outcome.kind === 'fail') {
    // Failed for good (executors retry before they fail): continue on `error` when it is
    // connected, with the failure in scope; otherwise the run fails. The one place for
    // every step type, live or dry, in the first slice or a resumed one (a webhook's delivery).
    const onError = nodeDefinitions[node.type].outputs.includes('error') ? nextNodes(graph, node.id, node.type, 'error') : [];
    if (onError.length === 0) return { end: { kind: 'failed', nodeId, error: outcome.error }, vars, loop };
    const withError = { ...vars, error: { nodeId, message: outcome.error } };
    if (onError.length > 1) return { end: { kind: 'fork', nodeId, targets: onError }, vars: withError, loop };
    return { nodeId: onError[0], vars: withError, loop };
  }
  if (outcome.kind === 'end') return { end: { kind: 'succeeded' }, vars, loop: null };
  const next = outcome.vars ? { ...vars, ...outcome.vars } : vars;
  const targets = outcome.loop ? [] : nextNodes(graph, node.id, node.type, outcome.handle);
  // A fork is never inside a loop nor on a for_each's outputs (validate.ts): no loop frame to split.
  if (targets.length > 1) return { end: { kind: 'fork', nodeId, targets }, vars: next, loop };
  let move: LoopMove = outcome.loop ? enterLoop(graph, node.id, outcome.loop.items, next) : { loop, vars: next, nodeId: targets[0] };
  // The end of a branch inside a loop: the next item, or `done` after the last one.
  while (!move.nodeId && move.loop) move = nextIteration(graph, move.loop);
  return move;
}
