import crypto from 'node:crypto';
import type { CheckedGraph, EventEnvelope } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import type { PoolClient } from '../../db/pool.ts';
import { cancelRunRows, deleteRunWaits, lockRuns, lockRunsFresh, reopenRun, reopenStep, workflowName, type LockedRun, type StepWrite } from '../../db/runs.ts';
import { withTransaction } from '../../db/pool.ts';
import { getSetting } from '../../settings.ts';
import { loadEvent } from '../events.ts';
import { toEnvelope } from '../store-events.ts';
import { loadVersion } from '../workflows/versions.ts';
import { iterationOf, parseLoopState } from './loop.ts';
import { RunWrites } from './run-writes.ts';
import { buildScope, scopeFrom } from './scope.ts';
import { historyFull } from './stored-history.ts';
import { CALLS_OUT, MAX_STEPS_PER_SLICE, runSlice, type RecordedStep, type SliceResult } from './step-loop.ts';
import type { WakeSignal } from './types.ts';

/**
 * The run state machine: the only writer of `runs` and `run_steps`. Transitions:
 * start (a new run and its first slice), advance/wait/succeed/fail (the end of a slice),
 * resume (a waiting run woken by its delivery, its timer or the event it waited for), retry, cancel, give up (a
 * job out of retries). Every way a run fails goes through `fail`, which emits `run.failed`
 * (unless the causation chain is at its limit). Slice writes go to a `RunWrites` buffer and
 * reach the database in the batch's multi-row statements.
 */

export function chainLimit(tx: PoolClient, writes: RunWrites): Promise<number> {
  return writes.cached('setting:maxChainDepth', () => getSetting(tx, 'maxChainDepth'));
}

export interface StartRun {
  workflowId: string;
  version: number;
  graph: CheckedGraph;
  event: EventEnvelope;
  /** The scope without vars (envelope and customer), shared by the event's runs. */
  scope: Record<string, unknown>;
}

/**
 * Starts a run and executes its first slice in the event's transaction: it commits with
 * the event or not at all. The slice stops before a step that calls out or runs code
 * (the run is parked, and a run.execute job continues it), so nothing slow runs while the
 * batch's transaction is open. Past the chain limit the run is recorded as failed and not
 * started (loop protection).
 */
export async function startRun(app: AppContext, tx: PoolClient, writes: RunWrites, start: StartRun): Promise<string> {
  const { event } = start;
  const id = `run_${crypto.randomUUID().replaceAll('-', '')}`;
  const depth = event.chain.length;
  const limit = await chainLimit(tx, writes);
  const base = { id, workflowId: start.workflowId, version: start.version, eventId: event.id, eventType: event.type, subject: event.subject, depth, vars: {} };
  if (depth >= limit) {
    writes.newRuns.push({
      ...base,
      status: 'failed',
      currentNode: start.graph.trigger.id,
      error: `loop protection: this event is ${depth} steps down a causation chain (limit ${limit}); the run was not started`,
      finished: true,
      loopState: null,
    });
    return id;
  }
  const run = { id, workflow_id: start.workflowId, depth, status: 'running' };
  const slice = await runSlice(app, { kind: 'live', tx, writes }, {
    graph: start.graph,
    run,
    event,
    nodeId: start.graph.trigger.id,
    vars: {},
    existing: undefined,
    scope: start.scope,
    maxSteps: MAX_STEPS_PER_SLICE,
    loop: null,
  });
  const steps = stepWrites(id, slice);
  writes.newSteps.push(...steps);
  const end = endOfSlice(slice);
  writes.newRuns.push({ ...base, ...end, vars: slice.vars, loopState: slice.loop });
  await afterSlice(tx, writes, { id, workflow_id: start.workflowId, depth }, event, slice, steps);
  return id;
}

/**
 * Resumes a locked run (woken by a settled delivery, a timer, a retry, a slice cap or the
 * event it waited for): its next slice from its current node (and iteration). A run that
 * is not running or waiting any more (cancelled, finished) is left alone. `signal`: what
 * woke its waiting step, when the waker knows (wait-matching.ts, with the matched event).
 */
export async function resumeLocked(app: AppContext, tx: PoolClient, writes: RunWrites, run: LockedRun, signal?: WakeSignal, first?: RecordedStep): Promise<void> {
  if (!['running', 'waiting'].includes(run.status) || !run.current_node) return;
  const graph = await loadVersion(tx, run.workflow_id, run.version);
  const event = await writes.cached(`event:${run.event_id}`, () => loadEvent(tx, run.event_id));
  if (!event) {
    await fail(tx, writes, run, undefined, run.current_node, `event ${run.event_id} no longer exists`);
    return;
  }
  const full = historyFull(run.history_bytes);
  if (full) {
    // The step it would run next fails, recorded with the reason (stored-history.ts).
    const node = graph.nodes.get(run.current_node);
    const iteration = parseLoopState(run.loop_state)?.index ?? -1;
    writes.stepUpserts.push({
      runId: run.id, nodeId: run.current_node, nodeType: node?.type ?? 'unknown', iteration, seq: run.step?.seq ?? null, ord: 0,
      status: 'failed', input: null, output: null, error: full, finished: true,
    });
    await fail(tx, writes, run, event, run.current_node, full);
    return;
  }
  const slice = await runSlice(app, { kind: 'live', tx, writes }, {
    graph,
    run,
    event,
    nodeId: run.current_node,
    vars: run.vars,
    existing: run.step,
    scope: await scopeFrom(tx, event, writes.customers),
    maxSteps: MAX_STEPS_PER_SLICE,
    loop: parseLoopState(run.loop_state),
    ...(signal ? { signal } : {}),
    ...(first ? { first } : {}),
  });
  if (slice.end.kind === 'stay') return;
  const steps = stepWrites(run.id, slice);
  writes.stepUpserts.push(...steps);
  const end = endOfSlice(slice);
  if (end.status === 'failed') {
    // The loop state where it failed, so a retry re-runs the failed step in its own iteration.
    await fail(tx, writes, run, event, end.currentNode!, (slice.end as { error: string }).error, null, slice.loop);
  } else {
    writes.runUpdates.push({ id: run.id, status: end.status, currentNode: end.currentNode, vars: slice.vars, error: null, finished: end.finished, loopState: slice.loop });
  }
  await afterSlice(tx, writes, run, event, slice, steps, false);
}

/** A new run's row at the end of its first slice. */
function endOfSlice(slice: SliceResult): { status: string; currentNode: string | null; error: string | null; finished: boolean } {
  switch (slice.end.kind) {
    case 'wait':
      return { status: 'waiting', currentNode: slice.end.nodeId, error: null, finished: false };
    case 'failed':
      return { status: 'failed', currentNode: slice.end.nodeId, error: `${slice.end.nodeId}: ${slice.end.error}`, finished: true };
    case 'yield':
      return { status: 'running', currentNode: slice.end.nodeId, error: null, finished: false };
    default:
      return { status: 'succeeded', currentNode: null, error: null, finished: true };
  }
}

function stepWrites(runId: string, slice: SliceResult): StepWrite[] {
  let ord = 0;
  return slice.steps.map((s) => {
    const status = s.outcome.kind === 'wait' ? 'waiting' : s.outcome.kind === 'fail' ? 'failed' : 'succeeded';
    const seq = s.seq ?? null;
    return {
      runId,
      nodeId: s.nodeId,
      nodeType: s.nodeType,
      iteration: s.iteration,
      seq,
      ord: seq === null ? ord++ : 0,
      status,
      input: s.input,
      output: s.outcome.output ?? null,
      error: s.outcome.kind === 'fail' ? s.outcome.error : null,
      finished: s.outcome.kind !== 'wait',
    } satisfies StepWrite;
  });
}

/** What the end of a slice asks for besides rows: a delivery, a timer, a continuation, run.failed. */
async function afterSlice(
  tx: PoolClient,
  writes: RunWrites,
  run: { id: string; workflow_id: string; depth: number },
  event: EventEnvelope,
  slice: SliceResult,
  steps: StepWrite[],
  emitFailure = true,
): Promise<void> {
  const end = slice.end;
  if (end.kind === 'wait' && end.deliver) {
    const step = steps.at(-1)!;
    writes.deliveries.push({ endpointId: end.deliver.endpointId, runId: run.id, nodeId: end.nodeId, iteration: step.iteration, loop: end.deliver.loop, envelope: event, vars: end.deliver.vars, step });
  }
  if (end.kind === 'wait' && end.waitFor) {
    writes.waits.push({ runId: run.id, nodeId: end.nodeId, iteration: steps.at(-1)!.iteration, ...end.waitFor, trigger: event });
  }
  if (end.kind === 'wait' && end.resumeAt) writes.jobs.push({ runId: run.id, startAfter: end.resumeAt });
  if (end.kind === 'yield') writes.jobs.push({ runId: run.id });
  if (end.kind === 'failed' && emitFailure) await emitRunFailed(tx, writes, run, event, end.nodeId, end.error);
}

/** Marks a run failed at a node and emits run.failed. */
async function fail(
  tx: PoolClient,
  writes: RunWrites,
  run: { id: string; workflow_id: string; depth: number },
  event: EventEnvelope | undefined,
  nodeId: string,
  error: string,
  vars: Record<string, unknown> | null = null,
  loopState?: unknown,
): Promise<void> {
  writes.runUpdates.push({ id: run.id, status: 'failed', currentNode: nodeId, vars, error: `${nodeId}: ${error}`, finished: true, loopState });
  await emitRunFailed(tx, writes, run, event, nodeId, error);
}

async function emitRunFailed(
  tx: PoolClient,
  writes: RunWrites,
  run: { id: string; workflow_id: string; depth: number },
  event: EventEnvelope | undefined,
  nodeId: string,
  error: string,
): Promise<void> {
  const limit = await chainLimit(tx, writes);
  if (run.depth + 1 >= limit) return;
  const name = await writes.cached(`workflow-name:${run.workflow_id}`, () => workflowName(tx, run.workflow_id));
  writes.events.push(
    toEnvelope({
      id: `run-failed:${run.id}:${Date.now()}`,
      type: 'run.failed',
      source: 'tripline',
      causedBy: event ?? null,
      data: { runId: run.id, workflowId: run.workflow_id, workflowName: name ?? run.workflow_id, nodeId, error: error.slice(0, 4000) },
    }),
  );
}

/**
 * The `run.execute` job: one run's next slice in its own transaction. Timers (delays, a
 * wait's timeout) race with other wakers, so the run is locked by a statement of its own
 * and then read as committed.
 *
 * A run parked at a step that calls out or runs code (CALLS_OUT) has that step run first,
 * outside any transaction (`callOutFirst`); the slice then records its outcome and goes on
 * in the transaction, unless the run moved meanwhile (a duplicate job, a cancel): then the
 * outcome is dropped and the run resumes from where it is now.
 */
export async function executeRunJob(app: AppContext, runId: string): Promise<void> {
  const first = await callOutFirst(app, runId);
  await withTransaction(app.pool, async (tx) => {
    const writes = new RunWrites();
    for (const run of await lockRunsFresh(tx, [runId])) await resumeLocked(app, tx, writes, run, undefined, first && first.at === spotOf(run) ? first.step : undefined);
    await writes.flush(app, tx);
  });
}

/** Where a run stands, as a comparable string: its status, node, iteration and that step's row. */
function spotOf(run: LockedRun): string {
  return JSON.stringify([run.status, run.current_node, iterationOf(parseLoopState(run.loop_state)), run.step?.seq ?? null, run.step?.status ?? null]);
}

/**
 * When the run stands at a call-out step: that step run on its own, with no transaction
 * open (its reads, a credential say, each run as a statement of their own), and where the
 * run stood when it was read. Nothing is written here.
 */
async function callOutFirst(app: AppContext, runId: string): Promise<{ at: string; step: RecordedStep } | undefined> {
  // One statement, no transaction (graphs are cached) for a run at any other step: a
  // delay's timer, a slice cap. The row lock lasts that statement only.
  const [run] = await lockRuns(app.pool, [runId]);
  if (!run || !run.current_node) return undefined;
  // A running run standing at the step, or one waiting there between attempts (its timer woke it).
  if (run.status !== 'running' && !(run.status === 'waiting' && run.step?.status === 'waiting')) return undefined;
  // A run whose history is full fails at this step without calling out (resumeLocked says why).
  if (historyFull(run.history_bytes)) return undefined;
  const graph = await loadVersion(app.pool, run.workflow_id, run.version);
  const node = graph.nodes.get(run.current_node);
  if (!node || !CALLS_OUT.has(node.type)) return undefined;
  const event = await loadEvent(app.pool, run.event_id);
  if (!event) return undefined;
  const scope = await buildScope(app.pool, event, {});
  // Each statement on its own connection: nothing is held while the step waits on the network.
  const autocommit = app.pool as unknown as PoolClient;
  const slice = await runSlice(app, { kind: 'live', tx: autocommit, writes: new RunWrites(), callOut: true }, {
    graph,
    run,
    event,
    nodeId: run.current_node!,
    vars: run.vars,
    existing: run.step,
    scope,
    maxSteps: 1,
    loop: parseLoopState(run.loop_state),
  });
  const step = slice.steps[0];
  return step?.nodeId === run.current_node ? { at: spotOf(run), step } : undefined;
}

/** Out of job retries: the run must not stay running or waiting forever, and says why. */
export async function giveUp(app: AppContext, runId: string, error: string): Promise<void> {
  await withTransaction(app.pool, async (tx) => {
    const [run] = await lockRuns(tx, [runId]);
    if (!run || !['running', 'waiting'].includes(run.status)) return;
    const writes = new RunWrites();
    const event = await loadEvent(tx, run.event_id);
    await fail(tx, writes, run, event, run.current_node ?? 'run', error);
    await deleteRunWaits(tx, run.id);
    await writes.flush(app, tx);
  });
}

/** A failed run back to work from its failed step: its delivery sent again, or the step re-run. */
export async function retryRun(app: AppContext, tx: PoolClient, run: { id: string; current_node: string }, redeliver: () => Promise<boolean>): Promise<'waiting' | 'running'> {
  const resumed = await redeliver();
  if (resumed) await reopenStep(tx, run.id, run.current_node);
  const status = resumed ? 'waiting' : 'running';
  await reopenRun(tx, run.id, status);
  if (!resumed) {
    const writes = new RunWrites();
    writes.jobs.push({ runId: run.id });
    await writes.flush(app, tx);
  }
  return status;
}

export async function cancelRun(tx: PoolClient, runId: string): Promise<void> {
  await cancelRunRows(tx, runId);
}
