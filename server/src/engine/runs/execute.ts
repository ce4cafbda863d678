import type { CheckedGraph, CheckedNode, EventEnvelope, NodeConfig, NodeType } from '@tripline/shared';
import { nodeDefinitions } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import { withTransaction, type PoolClient } from '../../db/pool.ts';
import { clientDb, sendJob } from '../../queue/boss.ts';
import { getSetting } from '../../settings.ts';
import { loadEvent } from '../events.ts';
import { emitEvent } from '../store-events.ts';
import { loadVersion } from '../workflows/versions.ts';
import { executors } from './executors/index.ts';
import { buildScope } from './scope.ts';
import type { RunRow, StepContext, StepOutcome } from './types.ts';

/** A cap on steps per slice, so a huge workflow yields the worker now and then. */
const MAX_STEPS_PER_SLICE = 200;

export function runExecutor<T extends NodeType>(type: T, config: Record<string, unknown>, step: StepContext): Promise<StepOutcome> {
  return executors[type](config as NodeConfig<T>, step);
}

/**
 * Executes a run from its current step until it ends, waits or fails, all in one
 * transaction: each step's row is written before the next step starts, and side effects
 * (a delivery queued, a campaign changed) commit together with the step that made them.
 * A crash rolls the slice back and the job's retry resumes at the same step.
 */
export async function executeRun(app: AppContext, runId: string): Promise<void> {
  await withTransaction(app.pool, (tx) => executeRunIn(app, tx, runId));
}

/**
 * Executes the run inside the caller's transaction, in a savepoint. Used right where a run
 * is started (the event's transaction) or resumed (the delivery's): one commit and no
 * job hop instead of two. If the slice fails on a database error it is rolled back alone
 * and the `run.execute` job is queued instead, with its retries, as before.
 */
export async function executeRunInline(app: AppContext, tx: PoolClient, runId: string, event?: EventEnvelope): Promise<void> {
  await tx.query('savepoint run_inline');
  try {
    await executeRunIn(app, tx, runId, event);
    await tx.query('release savepoint run_inline');
  } catch (error) {
    await tx.query('rollback to savepoint run_inline');
    app.log.warn({ err: error, runId }, 'inline run slice failed; queued as a job');
    await sendJob(app.boss, 'executeRun', { runId }, { db: clientDb(tx) });
  }
}

async function executeRunIn(app: AppContext, tx: PoolClient, runId: string, knownEvent?: EventEnvelope): Promise<void> {
  {
    const { rows } = await tx.query<RunRow>(
      'select id, workflow_id, version, event_id, status, current_node, depth, vars from runs where id = $1 for update',
      [runId],
    );
    const run = rows[0];
    if (!run || !['running', 'waiting'].includes(run.status) || !run.current_node) return;
    const graph = await loadVersion(tx, run.workflow_id, run.version);
    const event = knownEvent?.id === run.event_id ? knownEvent : await loadEvent(tx, run.event_id);
    if (!event) return failRun(app, tx, run, event, run.current_node, `event ${run.event_id} no longer exists`);
    let vars = run.vars;
    let nodeId: string | undefined = run.current_node;
    // The event's customer is loaded once per slice; each step sees the vars so far.
    const baseScope = await buildScope(tx, event, vars);

    for (let n = 0; nodeId && n < MAX_STEPS_PER_SLICE; n++) {
      const node: CheckedNode = graph.nodes.get(nodeId)!;
      // Only the node a slice starts at can have a step row already (a waiting step, or a
      // failed one being retried): the graph is acyclic, so later nodes are new.
      const existing: { status: string; output: unknown; seq: number } | undefined =
        n === 0
          ? (
              await tx.query<{ status: string; output: unknown; seq: number }>('select status, output, seq from run_steps where run_id = $1 and node_id = $2', [
                run.id,
                nodeId,
              ])
            ).rows[0]
          : undefined;
      if (existing?.status === 'waiting' && run.status !== 'waiting') break;
      const resumed: StepContext['resumed'] = existing?.status === 'waiting' ? { output: existing.output } : undefined;
      const scope = { ...baseScope, vars };
      const input = { config: node.config, vars };
      let outcome: StepOutcome;
      try {
        outcome = await runExecutor(node.type, node.config, { app, tx, run, nodeId, event, scope, resumed });
      } catch (error) {
        outcome = { kind: 'fail', error: (error as Error).message };
      }
      await recordStep(tx, run.id, node.id, node.type, input, outcome, existing?.seq);

      if (outcome.kind === 'wait') {
        await tx.query(`update runs set status = 'waiting', current_node = $2, vars = $3, updated_at = now() where id = $1`, [run.id, nodeId, vars]);
        if (outcome.resumeAt) await sendJob(app.boss, 'executeRun', { runId: run.id }, { db: clientDb(tx), startAfter: outcome.resumeAt });
        return;
      }
      if (outcome.kind === 'fail') return failRun(app, tx, run, event, nodeId, outcome.error);
      if (outcome.kind === 'next' && outcome.vars) vars = { ...vars, ...outcome.vars };
      const next: string | undefined = outcome.kind === 'next' ? nextNode(graph, node.id, node.type, outcome.handle) : undefined;
      if (!next) {
        await tx.query(
          `update runs set status = 'succeeded', current_node = null, vars = $2, finished_at = now(), updated_at = now() where id = $1`,
          [run.id, vars],
        );
        return;
      }
      nodeId = next;
      run.status = 'running';
      // The run row is written once when the slice ends (wait, fail, success or the cap):
      // the whole slice is one transaction, so intermediate positions are never visible.
    }
    // Slice cap reached: continue in a fresh job.
    if (nodeId) {
      await tx.query(`update runs set status = 'running', current_node = $2, vars = $3, updated_at = now() where id = $1`, [run.id, nodeId, vars]);
      await sendJob(app.boss, 'executeRun', { runId: run.id }, { db: clientDb(tx) });
    }
  }
}

export function nextNode(graph: CheckedGraph, nodeId: string, type: NodeType, handle?: string): string | undefined {
  const outputs = nodeDefinitions[type].outputs;
  const h = handle ?? outputs[0];
  return h === undefined ? undefined : graph.next.get(nodeId)?.get(h);
}

async function recordStep(tx: PoolClient, runId: string, nodeId: string, type: string, input: unknown, outcome: StepOutcome, seq: number | undefined) {
  const status = outcome.kind === 'wait' ? 'waiting' : outcome.kind === 'fail' ? 'failed' : 'succeeded';
  const finished = outcome.kind !== 'wait';
  await tx.query(
    `insert into run_steps (run_id, node_id, node_type, seq, status, input, output, error, started_at, finished_at)
     values ($1, $2, $3, coalesce($4, (select count(*) from run_steps where run_id = $1)), $5, $6, $7, $8, now(), case when $9 then now() end)
     on conflict (run_id, node_id) do update set
       status = excluded.status, output = excluded.output, error = excluded.error, finished_at = excluded.finished_at,
       attempts = run_steps.attempts + case when run_steps.status = 'failed' then 1 else 0 end,
       started_at = case when run_steps.status = 'failed' then now() else run_steps.started_at end`,
    [runId, nodeId, type, seq ?? null, status, JSON.stringify(input), JSON.stringify(outcome.output ?? null), outcome.kind === 'fail' ? outcome.error : null, finished],
  );
}

/** Marks the run failed and, unless it is already at the chain limit, emits run.failed. */
async function failRun(app: AppContext, tx: PoolClient, run: RunRow, event: EventEnvelope | undefined, nodeId: string, error: string) {
  await tx.query(`update runs set status = 'failed', error = $2, current_node = $3, finished_at = now(), updated_at = now() where id = $1`, [
    run.id,
    `${nodeId}: ${error}`,
    nodeId,
  ]);
  const limit = await getSetting(tx, 'maxChainDepth');
  if (run.depth + 1 >= limit) return;
  const { rows } = await tx.query<{ name: string }>('select name from workflows where id = $1', [run.workflow_id]);
  await emitEvent(tx, app.boss, {
    id: `run-failed:${run.id}:${Date.now()}`,
    type: 'run.failed',
    source: 'tripline',
    causedBy: event ?? null,
    data: { runId: run.id, workflowId: run.workflow_id, workflowName: rows[0]?.name ?? run.workflow_id, nodeId, error: error.slice(0, 4000) },
  });
}
