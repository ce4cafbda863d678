import { childBranchId, type RunBranch } from '@tripline/shared';
import { iterationOf, parseLoopState } from './loop.ts';
import type { LoopFrame } from './types.ts';

/**
 * A forked run's cursors. A run starts on one cursor, kept on its row (current_node, vars,
 * loop_state), as almost every run stays. When an output leads to several steps (a fork),
 * each target starts a branch of its own, stored in runs.branches, and the run row's cursor
 * is done with: from then on the state machine (state-machine.ts, `advanceBranches`) moves
 * the branches, each in turn in canvas order, each until it waits, fails or ends, so one
 * branch waiting on a delay, a delivery's retries or an event holds none of the others.
 *
 * - Each branch starts with a copy of the vars at the fork; what it saves (`saveAs`, a
 *   transform) is visible to its own steps only.
 * - A branch that forks again ends as `forked`; its branches are "2.1", "2.2", … right after it.
 * - A `stop` step ends its own branch. A failed branch is reported on its own (its own
 *   run.failed); the run goes on until every branch has ended, then is failed if any failed.
 * - Branches never meet again and never start inside a for_each body (validate.ts), so each
 *   step row (run, node, iteration) belongs to one branch, which it names (run_steps.branch).
 */
export interface Branch {
  id: string;
  startNodeId: string;
  status: RunBranch['status'];
  /** Where it stands (running, waiting), failed, or forked; null once it succeeded. */
  node: string | null;
  vars: Record<string, unknown>;
  loop: LoopFrame | null;
  /** "node: message" when it failed. */
  error: string | null;
}

export function isOpen(b: Branch): boolean {
  return b.status === 'running' || b.status === 'waiting';
}

/** The stored branches (runs.branches); null for a run that never forked. */
export function parseBranches(value: unknown): Branch[] | null {
  if (!Array.isArray(value)) return null;
  return value.map((v: Partial<Branch>) => ({
    id: String(v.id),
    startNodeId: String(v.startNodeId),
    status: v.status ?? 'failed',
    node: typeof v.node === 'string' ? v.node : null,
    vars: typeof v.vars === 'object' && v.vars !== null ? v.vars : {},
    loop: parseLoopState(v.loop),
    error: typeof v.error === 'string' ? v.error : null,
  }));
}

/** The branches a fork starts, in the targets' (canvas) order, each with its own copy of the vars. */
export function forkInto(parent: string | null, targets: readonly string[], vars: Record<string, unknown>): Branch[] {
  return targets.map((target, i) => ({ id: childBranchId(parent, i + 1), startNodeId: target, status: 'running', node: target, vars, loop: null, error: null }));
}

export function branchIteration(b: Branch): number {
  return iterationOf(b.loop);
}

/**
 * The run's row as its branches make it: running while any branch runs, waiting while any
 * waits (and none runs), and once every branch has ended, failed if any failed (its error
 * names each failed branch's step) or else succeeded. `currentNode`: the first open branch's
 * step, or the first failed branch's once ended.
 */
export function runStateOf(branches: readonly Branch[]): { status: 'running' | 'waiting' | 'succeeded' | 'failed'; currentNode: string | null; error: string | null; finished: boolean } {
  const running = branches.find((b) => b.status === 'running');
  const waiting = branches.find((b) => b.status === 'waiting');
  if (running || waiting) return { status: running ? 'running' : 'waiting', currentNode: (running ?? waiting)!.node, error: null, finished: false };
  const failed = branches.filter((b) => b.status === 'failed');
  if (failed.length === 0) return { status: 'succeeded', currentNode: null, error: null, finished: true };
  return { status: 'failed', currentNode: failed[0]!.node, error: failed.map((b) => `branch ${b.id}: ${b.error}`).join('; '), finished: true };
}

/** What the API shows of a branch. */
export function toRunBranch(b: Branch): RunBranch {
  return { id: b.id, status: b.status, nodeId: b.node, startNodeId: b.startNodeId, error: b.error };
}
