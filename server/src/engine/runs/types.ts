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
/** A dry run may ask HTTP request steps to call out for real (`live`); nothing else writes. */
export type RunMode = { kind: 'live'; tx: PoolClient; writes: RunWrites } | { kind: 'dry'; live?: boolean };

export interface StepContext {
  app: AppContext;
  mode: RunMode;
  run: Pick<RunRow, 'id' | 'workflow_id' | 'depth'>;
  nodeId: string;
  event: EventEnvelope;
  /** What json-logic and templates see: the envelope, `vars` from transforms, `customer` state. */
  scope: Record<string, unknown>;
  /** Set when a waiting step is woken: its earlier output. */
  resumed: { output: unknown } | undefined;
}

/** A webhook step's delivery, created with the batch's other writes (one statement for all). */
export interface DeliveryIntent {
  endpointId: string;
  vars: Record<string, unknown>;
}

export type StepOutcome =
  /** Done; continue on `handle` (default: the node's only output). */
  | { kind: 'next'; output?: unknown; handle?: string; vars?: Record<string, unknown> }
  /**
   * Waiting: until `resumeAt`, or until something else wakes the run (a delivery settling).
   * `deliver` asks for the step's delivery; its id is added to the output when it is created.
   */
  | { kind: 'wait'; output?: unknown; resumeAt?: Date; deliver?: DeliveryIntent }
  /** The run ends here, successfully. */
  | { kind: 'end'; output?: unknown }
  | { kind: 'fail'; error: string; output?: unknown };

export type Executor<T extends NodeType> = (config: NodeConfig<T>, step: StepContext) => Promise<StepOutcome>;
export type ExecutorMap = { [T in NodeType]: Executor<T> };
