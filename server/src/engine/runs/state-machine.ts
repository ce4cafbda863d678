import crypto from 'node:crypto';
import type { CheckedGraph, EventEnvelope } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import type { PoolClient } from '../../db/pool.ts';
import { cancelRunRows, deleteRunWaits, lockRuns, lockRunsFresh, reopenBranchedRun, reopenRun, reopenStep, reopenStepAt, stepsAt, workflowName, type LockedRun, type StepWrite } from '../../db/runs.ts';
import { withTransaction } from '../../db/pool.ts';
import { getSetting } from '../../settings.ts';
import { loadEvent } from '../events.ts';
import { toEnvelope } from '../store-events.ts';
import { loadVersion } from '../workflows/versions.ts';
import { branchIteration, forkInto, isOpen, parseBranches, runStateOf, type Branch } from './branches.ts';
import { iterationOf, parseLoopState } from './loop.ts';
import { RunWrites } from './run-writes.ts';
import { buildScope, scopeFrom } from './scope.ts';
import { historyFull } from './stored-history.ts';
import { CALLS_OUT, MAX_STEPS_PER_SLICE, runSlice, type RecordedStep, type SliceResult } from './step-loop.ts';
import type { LoopFrame, WakeSignal } from './types.ts';

/**
 * The run state machine: the only writer of `runs` and `run_steps`. Transitions:
 * start (a new run and its first slice), advance/wait/succeed/fail (the end of a slice),
 * resume (a waiting run woken by its delivery, its timer or the event it waited for), retry, cancel, give up (a
 * job out of retries). Every way a run fails goes through `fail`, which emits `run.failed`
 * (unless the causation chain is at its limit). Slice writes go to a `RunWrites` buffer and
 * reach the database in the batch's multi-row statements.
 */

/** The memo key of the maxChainDepth setting in a batch's RunWrites (primed by the batch's one read). */
export const CHAIN_LIMIT_KEY = 'setting:maxChainDepth';

export function chainLimit(tx: PoolClient, writes: RunWrites): Promise<number> {
  return writes.cached(CHAIN_LIMIT_KEY, () => getSetting(tx, 'maxChainDepth'));
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
  if (slice.end.kind === 'fork') {
    const forked = await fork(app, tx, writes, { ...run, graph: start.graph, event, scope: start.scope }, slice, slice.end.targets, steps.length);
    writes.newSteps.push(...forked.steps);
    writes.newRuns.push({ ...base, ...runStateOf(forked.branches), vars: slice.vars, loopState: null, branches: forked.branches });
    return id;
  }
  const end = endOfSlice(slice);
  writes.newRuns.push({ ...base, ...end, vars: slice.vars, loopState: slice.loop });
  await afterSlice(tx, writes, { id, workflow_id: start.workflowId, depth }, event, slice, steps);
  return id;
}

/** How a run was woken, when the waker knows: the event a wait matched (at that wait), a call-out step already run, a run.execute job. */
export interface Wake {
  signal?: WakeSignal;
  /** The waiting step the signal is for (a forked run's other waiting branches are only checked again). */
  at?: { nodeId: string; iteration: number };
  first?: RecordedStep;
  /** Woken by its run.execute job: a branch still running afterwards needs a job of its own. */
  job?: boolean;
}

/** What the slice-running side of a forked run needs: the run, its graph, event and scope. */
interface BranchContext {
  id: string;
  workflow_id: string;
  depth: number;
  graph: CheckedGraph;
  event: EventEnvelope;
  scope: Record<string, unknown>;
}

/** The trunk reached a fork: the run's branches start, and each moves in turn (advanceBranches). */
async function fork(app: AppContext, tx: PoolClient, writes: RunWrites, ctx: BranchContext, slice: SliceResult, targets: readonly string[], ord: number) {
  const branches = forkInto(null, targets, slice.vars);
  return advanceBranches(app, tx, writes, ctx, branches, new Map(), {}, { ord, budget: MAX_STEPS_PER_SLICE - slice.steps.length, started: true });
}

const stepKey = (nodeId: string, iteration: number) => `${iteration}:${nodeId}`;

/**
 * One pass over a forked run's branches, in canvas order: each open branch runs its slice
 * until it waits, fails, ends or forks again (its new branches run right after it, in this
 * same pass), so one branch waiting holds none of the others. A waiting branch is checked
 * again (its delivery settled? its delay due?); one that still waits asks for nothing again.
 * The signal of a matched event goes to the branch waiting at that wait only. Each branch's
 * side effects are its own: its delivery, wait, timer, and its own run.failed.
 */
async function advanceBranches(
  app: AppContext,
  tx: PoolClient,
  writes: RunWrites,
  ctx: BranchContext,
  start: Branch[],
  rows: Map<string, { status: string; output: unknown; seq: number }>,
  wake: Wake,
  counters: { ord: number; budget: number; started?: boolean },
): Promise<{ branches: Branch[]; steps: StepWrite[]; changed: boolean }> {
  const branches = [...start];
  const steps: StepWrite[] = [];
  let changed = counters.started === true;
  let job = false;
  // Branches started in this pass: one parked at a call-out step needs its job (it has none yet).
  const fresh = new Set(counters.started ? start.map((b) => b.id) : []);
  for (let i = 0; i < branches.length; i++) {
    const b = branches[i]!;
    if (!isOpen(b) || !b.node) continue;
    if (counters.budget <= 0) {
      // The slice's step cap: a running branch goes on in the next job.
      if (b.status === 'running') job = true;
      continue;
    }
    const iteration = branchIteration(b);
    const existing = rows.get(stepKey(b.node, iteration));
    const targeted = wake.at?.nodeId === b.node && wake.at.iteration === iteration;
    const first = wake.first?.nodeId === b.node && wake.first.iteration === iteration ? wake.first : undefined;
    const slice = await runSlice(app, { kind: 'live', tx, writes }, {
      graph: ctx.graph,
      run: { id: ctx.id, workflow_id: ctx.workflow_id, depth: ctx.depth, status: b.status },
      event: ctx.event,
      nodeId: b.node,
      vars: b.vars,
      existing,
      scope: ctx.scope,
      maxSteps: counters.budget,
      loop: b.loop,
      ...(targeted && wake.signal ? { signal: wake.signal } : {}),
      ...(first ? { first } : {}),
    });
    const end = slice.end;
    if (end.kind === 'stay') continue;
    // Checked again and still where it was (woken for another branch): nothing to write or ask for.
    const still = slice.steps.length === (end.kind === 'wait' ? 1 : 0) && (end.kind === 'wait' || end.kind === 'yield') && end.nodeId === b.node && (end.kind === 'yield' || existing?.status === 'waiting');
    if (still) {
      // A branch parked at a call-out step keeps the job it has, unless this pass is that job, or it just started.
      if (end.kind === 'yield' && (wake.job || fresh.has(b.id))) job = true;
      continue;
    }
    changed = true;
    counters.budget -= slice.steps.length;
    const written = stepWrites(ctx.id, slice, b.id, counters.ord);
    counters.ord += written.filter((w) => w.seq === null).length;
    steps.push(...written);
    const moved: Branch = { ...b, vars: slice.vars, loop: slice.loop, error: null };
    switch (end.kind) {
      case 'wait':
        branches[i] = { ...moved, status: 'waiting', node: end.nodeId };
        await afterSlice(tx, writes, ctx, ctx.event, slice, written);
        break;
      case 'yield':
        branches[i] = { ...moved, status: 'running', node: end.nodeId };
        job = true;
        break;
      case 'failed':
        branches[i] = { ...moved, status: 'failed', node: end.nodeId, error: `${end.nodeId}: ${end.error}` };
        await emitRunFailed(tx, writes, ctx, ctx.event, end.nodeId, end.error, b.id);
        break;
      case 'fork':
        branches[i] = { ...moved, status: 'forked', node: end.nodeId, loop: null };
        const children = forkInto(b.id, end.targets, slice.vars);
        for (const c of children) fresh.add(c.id);
        branches.splice(i + 1, 0, ...children);
        break;
      default:
        branches[i] = { ...moved, status: 'succeeded', node: null, loop: null };
    }
  }
  if (job) writes.jobs.push({ runId: ctx.id });
  return { branches, steps, changed };
}

/**
 * A forked run woken: a pass over its branches (advanceBranches), the step rows at their
 * cursors read in one statement (forked runs only; a run that never forked reads none).
 */
async function resumeBranched(app: AppContext, tx: PoolClient, writes: RunWrites, run: LockedRun, branches: Branch[], wake: Wake): Promise<void> {
  const event = await writes.cached(`event:${run.event_id}`, () => loadEvent(tx, run.event_id));
  const full = event ? historyFull(run.history_bytes) : `event ${run.event_id} no longer exists`;
  if (full || !event) {
    // Every open branch fails at the step it stands at, with the reason.
    const ended = branches.map((b) => (isOpen(b) ? { ...b, status: 'failed' as const, error: `${b.node}: ${full}` } : b));
    writes.runUpdates.push({ id: run.id, ...runStateOf(ended), vars: null, branches: ended });
    for (const b of branches) if (isOpen(b)) await emitRunFailed(tx, writes, run, event, b.node ?? 'run', full!, b.id);
    return;
  }
  const graph = await loadVersion(tx, run.workflow_id, run.version);
  const open = branches.filter((b) => isOpen(b) && b.node);
  const rows = new Map((await stepsAt(tx, run.id, open.map((b) => ({ nodeId: b.node!, iteration: branchIteration(b) })))).map((r) => [stepKey(r.node_id, r.iteration), r]));
  const ctx = { id: run.id, workflow_id: run.workflow_id, depth: run.depth, graph, event, scope: await scopeFrom(tx, event, writes.customers) };
  const advanced = await advanceBranches(app, tx, writes, ctx, branches, rows, wake, { ord: 0, budget: MAX_STEPS_PER_SLICE });
  if (!advanced.changed) return;
  writes.stepUpserts.push(...advanced.steps);
  writes.runUpdates.push({ id: run.id, ...runStateOf(advanced.branches), vars: null, branches: advanced.branches });
}

/**
 * Resumes a locked run (woken by a settled delivery, a timer, a retry, a slice cap or the
 * event it waited for): its next slice from its current node (and iteration). A run that
 * is not running or waiting any more (cancelled, finished) is left alone. `signal`: what
 * woke its waiting step, when the waker knows (wait-matching.ts, with the matched event).
 */
export async function resumeLocked(app: AppContext, tx: PoolClient, writes: RunWrites, run: LockedRun, wake: Wake = {}): Promise<void> {
  if (!['running', 'waiting'].includes(run.status) || !run.current_node) return;
  const branches = parseBranches(run.branches);
  if (branches) return resumeBranched(app, tx, writes, run, branches, wake);
  const { signal, first } = wake;
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
  if (slice.end.kind === 'fork') {
    const scope = await scopeFrom(tx, event, writes.customers);
    const forked = await fork(app, tx, writes, { id: run.id, workflow_id: run.workflow_id, depth: run.depth, graph, event, scope }, slice, slice.end.targets, steps.filter((s) => s.seq === null).length);
    writes.stepUpserts.push(...forked.steps);
    writes.runUpdates.push({ id: run.id, ...runStateOf(forked.branches), vars: slice.vars, loopState: null, branches: forked.branches });
    return;
  }
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

/** The slice's step rows; `branch`: the branch that ran them; `ord`: new rows already written for the run in this write. */
function stepWrites(runId: string, slice: SliceResult, branch?: string, firstOrd = 0): StepWrite[] {
  let ord = firstOrd;
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
      ...(branch ? { branch } : {}),
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
  branch?: string,
): Promise<void> {
  const limit = await chainLimit(tx, writes);
  if (run.depth + 1 >= limit) return;
  const name = await writes.cached(`workflow-name:${run.workflow_id}`, () => workflowName(tx, run.workflow_id));
  writes.events.push(
    toEnvelope({
      // A forked run's branches fail on their own, maybe in one slice: each its own event.
      id: `run-failed:${run.id}:${branch ? `${branch}:` : ''}${Date.now()}`,
      type: 'run.failed',
      source: 'tripline',
      causedBy: event ?? null,
      data: { runId: run.id, workflowId: run.workflow_id, workflowName: name ?? run.workflow_id, nodeId, ...(branch ? { branch } : {}), error: error.slice(0, 4000) },
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
    for (const run of await lockRunsFresh(tx, [runId])) {
      await resumeLocked(app, tx, writes, run, { job: true, ...(first && first.at === spotOf(run, first.step) ? { first: first.step } : {}) });
    }
    await writes.flush(app, tx);
  });
}

/**
 * Where a run stands, as a comparable string: its status, node, iteration and that step's
 * row; for a forked run, the branch standing at `at`'s step (its id, status, node, iteration).
 */
function spotOf(run: LockedRun, at?: { nodeId: string; iteration: number }): string {
  const branches = parseBranches(run.branches);
  if (branches) {
    const b = branches.find((x) => isOpen(x) && x.node === at?.nodeId && branchIteration(x) === at?.iteration);
    return JSON.stringify([run.status, b?.id ?? null, b?.status ?? null, b?.node ?? null, b ? branchIteration(b) : null]);
  }
  return JSON.stringify([run.status, run.current_node, iterationOf(parseLoopState(run.loop_state)), run.step?.seq ?? null, run.step?.status ?? null]);
}

/** The cursor a run.execute job would run a call-out step at: the run's own, or a forked run's first branch parked at one. */
async function callOutCursor(
  app: AppContext,
  run: LockedRun,
  graph: CheckedGraph,
): Promise<{ nodeId: string; vars: Record<string, unknown>; loop: LoopFrame | null; status: string; existing: LockedRun['step'] } | undefined> {
  const callsOut = (nodeId: string | null) => {
    const node = nodeId ? graph.nodes.get(nodeId) : undefined;
    return node !== undefined && CALLS_OUT.has(node.type);
  };
  const branches = parseBranches(run.branches);
  if (!branches) {
    if (!callsOut(run.current_node)) return undefined;
    return { nodeId: run.current_node!, vars: run.vars, loop: parseLoopState(run.loop_state), status: run.status, existing: run.step };
  }
  const parked = branches.filter((b) => isOpen(b) && callsOut(b.node));
  if (parked.length === 0) return undefined;
  const rows = await stepsAt(app.pool, run.id, parked.map((b) => ({ nodeId: b.node!, iteration: branchIteration(b) })));
  for (const b of parked) {
    const row = rows.find((r) => r.node_id === b.node && r.iteration === branchIteration(b));
    // A branch running at the step, or one waiting there between attempts (its timer woke it).
    if (b.status === 'running' || row?.status === 'waiting') return { nodeId: b.node!, vars: b.vars, loop: b.loop, status: b.status, existing: row };
  }
  return undefined;
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
  if (run.status !== 'running' && !(run.status === 'waiting' && (run.step?.status === 'waiting' || run.branches))) return undefined;
  // A run whose history is full fails at this step without calling out (resumeLocked says why).
  if (historyFull(run.history_bytes)) return undefined;
  const graph = await loadVersion(app.pool, run.workflow_id, run.version);
  const cursor = await callOutCursor(app, run, graph);
  if (!cursor) return undefined;
  const event = await loadEvent(app.pool, run.event_id);
  if (!event) return undefined;
  const scope = await buildScope(app.pool, event, {});
  // Each statement on its own connection: nothing is held while the step waits on the network.
  const autocommit = app.pool as unknown as PoolClient;
  const slice = await runSlice(app, { kind: 'live', tx: autocommit, writes: new RunWrites(), callOut: true }, {
    graph,
    run: { ...run, status: cursor.status },
    event,
    nodeId: cursor.nodeId,
    vars: cursor.vars,
    existing: cursor.existing,
    scope,
    maxSteps: 1,
    loop: cursor.loop,
  });
  const step = slice.steps[0];
  return step?.nodeId === cursor.nodeId ? { at: spotOf(run, step), step } : undefined;
}

/** Out of job retries: the run must not stay running or waiting forever, and says why (a forked run: each open branch). */
export async function giveUp(app: AppContext, runId: string, error: string): Promise<void> {
  await withTransaction(app.pool, async (tx) => {
    const [run] = await lockRuns(tx, [runId]);
    if (!run || !['running', 'waiting'].includes(run.status)) return;
    const writes = new RunWrites();
    const event = await loadEvent(tx, run.event_id);
    const branches = parseBranches(run.branches);
    if (branches) {
      const ended = branches.map((b) => (isOpen(b) ? { ...b, status: 'failed' as const, error: `${b.node}: ${error}` } : b));
      writes.runUpdates.push({ id: run.id, ...runStateOf(ended), vars: null, branches: ended });
      for (const b of branches) if (isOpen(b)) await emitRunFailed(tx, writes, run, event, b.node ?? 'run', error, b.id);
    } else {
      await fail(tx, writes, run, event, run.current_node ?? 'run', error);
    }
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

/**
 * A failed forked run back to work: only its failed branches, each from the step it failed
 * at (a webhook's delivery sent again, any other step re-run); the other branches' steps
 * stay as they ended. Returns the run's status and the branches retried.
 */
export async function retryBranches(
  app: AppContext,
  tx: PoolClient,
  run: { id: string; branches: unknown },
  redeliver: (nodeId: string, iteration: number) => Promise<boolean>,
): Promise<{ status: 'waiting' | 'running'; retried: string[] }> {
  const branches = parseBranches(run.branches) ?? [];
  const retried: string[] = [];
  const next: Branch[] = [];
  for (const b of branches) {
    if (b.status !== 'failed' || !b.node) {
      next.push(b);
      continue;
    }
    retried.push(b.id);
    const resumed = await redeliver(b.node, branchIteration(b));
    if (resumed) await reopenStepAt(tx, run.id, b.node, branchIteration(b));
    next.push({ ...b, status: resumed ? 'waiting' : 'running', error: null });
  }
  const state = runStateOf(next);
  const status = state.status === 'running' ? 'running' : 'waiting';
  await reopenBranchedRun(tx, run.id, status, next, state.currentNode);
  if (status === 'running') {
    const writes = new RunWrites();
    writes.jobs.push({ runId: run.id });
    await writes.flush(app, tx);
  }
  return { status, retried };
}

export async function cancelRun(tx: PoolClient, runId: string): Promise<void> {
  await cancelRunRows(tx, runId);
}
