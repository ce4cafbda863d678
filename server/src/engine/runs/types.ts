import type { EventEnvelope, NodeConfig, NodeType } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import type { PoolClient } from '../../db/pool.ts';

export interface RunRow {
  id: string;
  workflow_id: string;
  version: number;
  event_id: string;
  status: string;
  current_node: string | null;
  depth: number;
  vars: Record<string, unknown>;
}

export interface StepContext {
  app: AppContext;
  /** The run's transaction; absent in a dry run, which must not write anything. */
  tx: PoolClient | undefined;
  run: Pick<RunRow, 'id' | 'workflow_id' | 'depth'>;
  nodeId: string;
  event: EventEnvelope;
  /** What json-logic and templates see: the envelope, `vars` from transforms, `customer` state. */
  scope: Record<string, unknown>;
  /** Set when a waiting step is woken: its earlier output. */
  resumed: { output: unknown } | undefined;
}

export type StepOutcome =
  /** Done; continue on `handle` (default: the node's only output). */
  | { kind: 'next'; output?: unknown; handle?: string; vars?: Record<string, unknown> }
  /** Waiting: until `resumeAt`, or until something else wakes the run (a delivery settling). */
  | { kind: 'wait'; output?: unknown; resumeAt?: Date }
  /** The run ends here, successfully. */
  | { kind: 'end'; output?: unknown }
  | { kind: 'fail'; error: string; output?: unknown };

export type Executor<T extends NodeType> = (config: NodeConfig<T>, step: StepContext) => Promise<StepOutcome>;
export type ExecutorMap = { [T in NodeType]: Executor<T> };
