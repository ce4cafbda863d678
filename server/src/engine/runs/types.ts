import type { EventEnvelope, NodeConfig, NodeType } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import type { PoolClient } from '../../db/pool.ts';
import type { RunRow } from '../../db/runs.ts';
import type { RunWrites } from './run-writes.ts';

export type { RunRow };

/**
 * How a step runs, as data: live steps write in the run's transaction (and collect their
 * batched writes in `writes`); a dry run must not write anything and says so by its kind.
 */
/**
 * A dry run may ask HTTP request steps to call out for real (`live`); nothing else writes.
 * `callOut`: the live slice runs outside any transaction (a run job's call-out phase,
 * state-machine.ts), so a step that calls out or runs code may run; `tx` then runs each
 * statement on its own (no transaction is held while the step waits on the network).
 */
export type RunMode = { kind: 'live'; tx: PoolClient; writes: RunWrites; callOut?: boolean } | { kind: 'dry'; live?: boolean; waits?: 'timeout' | 'received' };

export interface StepContext {
  app: AppContext;
  mode: RunMode;
  run: Pick<RunRow, 'id' | 'workflow_id' | 'depth'>;
  nodeId: string;
  event: EventEnvelope;
  /** What json-logic and templates see: the envelope, `vars` from transforms, `customer` state. */
  scope: Record<string, unknown>;
  /** Set when a waiting step is woken: its earlier output, and what woke it when that is known. */
  resumed: { output: unknown; signal?: WakeSignal } | undefined;
  /** The for_each iteration the step runs in; -1 outside a loop. */
  iteration: number;
}

/** What woke a waiting step, when the waker knows: an event a wait_for_event matched. */
export type WakeSignal = { kind: 'received'; event: EventEnvelope };

/**
 * The for_each loop a run is inside, kept on the run between slices (runs.loop_state):
 * the list as it was when the loop started, the current index, and the vars every
 * iteration (and `done`) starts from, so iterations do not leak into each other.
 */
export interface LoopFrame {
  nodeId: string;
  items: unknown[];
  index: number;
  vars: Record<string, unknown>;
}

/** A wait_for_event step's wait, written to run_waits with the slice. */
export interface WaitIntent {
  eventType: string;
  correlationKey: string;
  expiresAt: Date;
  /** The step's `match`, for an event of the same batch (the wait is not in run_waits yet). */
  match: unknown;
}

/** A webhook step's delivery, created with the batch's other writes (one statement for all). */
export interface DeliveryIntent {
  endpointId: string;
  vars: Record<string, unknown>;
  /** Inside a for_each: the item and index, sent in the payload too. */
  loop?: { item: unknown; index: number };
}

export type StepOutcome =
  /** Done; continue on `handle` (default: the node's only output). */
  | { kind: 'next'; output?: unknown; handle?: string; vars?: Record<string, unknown>; loop?: { items: unknown[] } }
  /**
   * Waiting: until `resumeAt`, or until something else wakes the run (a delivery settling).
   * `deliver` asks for the step's delivery; its id is added to the output when it is created.
   */
  | { kind: 'wait'; output?: unknown; resumeAt?: Date; deliver?: DeliveryIntent; waitFor?: WaitIntent }
  /** The run ends here, successfully. */
  | { kind: 'end'; output?: unknown }
  | { kind: 'fail'; error: string; output?: unknown };

export type Executor<T extends NodeType> = (config: NodeConfig<T>, step: StepContext) => Promise<StepOutcome>;
export type ExecutorMap = { [T in NodeType]: Executor<T> };
