import type { CheckedGraph, EventEnvelope } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import type { PoolClient } from '../../db/pool.ts';
import { anyWaitsFor, lockRunsFresh, takeWait, waitsFor } from '../../db/runs.ts';
import { loadEvent } from '../events.ts';
import { loadVersion } from '../workflows/versions.ts';
import { correlationKey, waitMatches } from './executors/wait-for-event.ts';
import { branchIteration, parseBranches } from './branches.ts';
import { iterationOf, parseLoopState } from './loop.ts';
import { RunWrites } from './run-writes.ts';
import { resumeLocked } from './state-machine.ts';

/** The memo key of "does any run wait for this type" in a batch's RunWrites (primed by the batch's one read). */
export const waitsKey = (eventType: string) => `waits:${eventType}`;

type WaitKey = { runId: string; nodeId: string; iteration: number };

/**
 * Where an arriving event wakes the runs parked at a wait_for_event step. Called for each
 * event its batch processes (after its state changes and its own runs), in the event's
 * savepoint. Finding the waiting runs is an index lookup on run_waits by (event type,
 * correlation key = the subject), never a scan of the waiting runs, and it is skipped for
 * an event type nobody waits for (one probe per type per batch). Each candidate's `match`
 * is evaluated; on a match the run is locked, its wait deleted (`takeWait`: if the timeout
 * took it first, nothing happens) and it resumes on `received` with the event.
 *
 * A run that parked earlier in the same batch has its wait in the batch's buffer, not yet
 * in run_waits: it is woken the same way right after the batch's rows are written.
 */
export async function wakeWaitingRuns(app: AppContext, tx: PoolClient, writes: RunWrites, event: EventEnvelope): Promise<void> {
  const key = correlationKey(event);
  if (key === null) return;
  for (const wait of writes.parent?.pendingWaits(event.type, key) ?? []) {
    if (!waitMatches({ match: wait.match }, wait.trigger, event)) continue;
    writes.afterFlush.push(async (app2, tx2) => {
      const more = new RunWrites();
      await wake(app2, tx2, more, wait, event);
      await more.flush(app2, tx2);
    });
  }
  if (!(await writes.cached(waitsKey(event.type), () => anyWaitsFor(tx, event.type)))) return;
  for (const wait of await waitsFor(tx, event.type, key)) {
    const graph = await loadVersion(tx, wait.workflowId, wait.version);
    const trigger = await loadEvent(tx, wait.eventId);
    if (!trigger || !waitMatches({ match: matchOf(graph, wait.nodeId) }, trigger, event)) continue;
    if (writes.wroteRun(wait.runId)) {
      // A forked run whose other branch this batch already moved (two branches' events in one
      // batch): its row is not written yet, so this branch is woken once it is.
      writes.afterFlush.push(async (app2, tx2) => {
        const more = new RunWrites();
        await wake(app2, tx2, more, wait, event);
        await more.flush(app2, tx2);
      });
      continue;
    }
    await wake(app, tx, writes, wait, event);
  }
}

function matchOf(graph: CheckedGraph, nodeId: string): unknown {
  return graph.nodes.get(nodeId)?.config.match;
}

/** Lock the run first, then take the wait: the timeout does the same, so exactly one path is taken. */
async function wake(app: AppContext, tx: PoolClient, writes: RunWrites, wait: WaitKey, event: EventEnvelope): Promise<void> {
  const [run] = await lockRunsFresh(tx, [wait.runId]);
  if (!run) return;
  if (!(await takeWait(tx, wait, false))) return;
  // A wait left behind by a run that has moved on (failed, given up) is simply dropped.
  const branches = parseBranches(run.branches);
  if (branches) {
    // A forked run: the branch waiting there (the run may be running another branch meanwhile).
    const waiting = branches.some((b) => b.status === 'waiting' && b.node === wait.nodeId && branchIteration(b) === wait.iteration);
    if (!['running', 'waiting'].includes(run.status) || !waiting) return;
  } else {
    const atWait = run.current_node === wait.nodeId && iterationOf(parseLoopState(run.loop_state)) === wait.iteration;
    if (run.status !== 'waiting' || !atWait || run.step?.status !== 'waiting') return;
  }
  await resumeLocked(app, tx, writes, run, { signal: { kind: 'received', event }, at: { nodeId: wait.nodeId, iteration: wait.iteration } });
}
