import { pageSchema, runDetailSchema, runQuerySchema, runRetrySchema, runSummarySchema, type RunSummary } from '@tripline/shared';
import { Router } from 'express';
import { actorFrom, recordAudit } from '../../audit/record.ts';
import type { AppContext } from '../../context.ts';
import { withTransaction } from '../../db/pool.ts';
import { branchesOfRun, deliveriesOfRun, findRunSummary, listRunSummaries, stepsOfRun, type RunSummaryRow } from '../../db/run-reads.ts';
import { moveRunToVersion } from '../../db/runs.ts';
import { findWorkflow, versionGraph } from '../../db/workflows.ts';
import { conflict, notFound } from '../../http/errors.ts';
import { declareRoutes } from '../../http/route.ts';
import { loadEvent } from '../events.ts';
import { retryStepDelivery } from './retry.ts';
import { parseBranches, toRunBranch } from './branches.ts';
import { cancelRun, retryBranches, retryRun } from './state-machine.ts';

const tag = 'Runs';

export function toRunSummary(r: RunSummaryRow): RunSummary {
  return {
    id: r.id,
    workflowId: r.workflow_id,
    workflowName: r.workflow_name,
    version: r.version,
    eventId: r.event_id,
    eventType: r.event_type,
    subject: r.subject,
    status: r.status,
    currentNode: r.current_node,
    error: r.error,
    depth: r.depth,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    firstVersion: r.first_version,
  };
}

export function runsRouter(app: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route(
    {
      method: 'get',
      path: '/runs',
      access: 'runs:read',
      tag,
      summary: 'Runs, newest first; filter by workflow, status, event type, subject, time',
      query: runQuerySchema,
      response: pageSchema(runSummarySchema),
    },
    async ({ query: q }) => {
      const rows = await listRunSummaries(app.pool, q);
      const page = rows.slice(0, q.limit);
      return { data: page.map(toRunSummary), nextCursor: rows.length > q.limit ? String(page.at(-1)!.seq) : null };
    },
  );

  route({ method: 'get', path: '/runs/:id', access: 'runs:read', tag, summary: 'One run with every step: input, output, timing, error', response: runDetailSchema }, async ({ params }) => {
    const id = params.id!;
    const run = await findRunSummary(app.pool, id);
    if (!run) throw notFound('run', id);
    // Read before the steps: the steps then are as new as the branches or newer (two reads, no snapshot).
    const branches = await branchesOfRun(app.pool, id);
    const [steps, graph, event, deliveries, workflow] = await Promise.all([
      stepsOfRun(app.pool, id),
      versionGraph(app.pool, run.workflow_id, run.version),
      loadEvent(app.pool, run.event_id),
      deliveriesOfRun(app.pool, id),
      findWorkflow(app.pool, run.workflow_id),
    ]);
    return {
      ...toRunSummary(run),
      branches: (parseBranches(branches) ?? []).map(toRunBranch),
      liveVersion: workflow?.published_version ?? null,
      graph: graph ?? { nodes: [], edges: [] },
      event: event ?? null,
      steps: steps.map((s) => ({
        nodeId: s.node_id,
        nodeType: s.node_type,
        ...(s.iteration >= 0 ? { iteration: s.iteration } : {}),
        ...(s.branch ? { branch: s.branch } : {}),
        status: s.status,
        input: s.input,
        output: s.output,
        error: s.error,
        attempts: s.attempts,
        startedAt: s.started_at.toISOString(),
        finishedAt: s.finished_at?.toISOString() ?? null,
      })),
      deliveries: deliveries.map((d) => ({ id: d.id, endpointId: d.endpoint_id, nodeId: d.node_id, ...(d.iteration >= 0 ? { iteration: d.iteration } : {}), status: d.status, attemptCount: d.attempt_count })),
    };
  });

  route(
    {
      method: 'post',
      path: '/runs/:id/retry',
      access: 'runs:write',
      tag,
      summary: 'Retry a failed run from the step that failed: as it ran (default), or with the live version ({"use": "live"})',
      body: runRetrySchema,
      response: runSummarySchema,
    },
    async ({ req, params, body: { use } }) => {
      const id = params.id!;
      return withTransaction(app.pool, async (tx) => {
        const run = await findRunSummary(tx, id, true);
        if (!run) throw notFound('run', id);
        if (run.status !== 'failed') throw conflict(`only a failed run can be retried; this one is ${run.status}`);
        if (!run.current_node) throw conflict('this run has no step to retry from');
        // A forked run retries its failed branches only, each from the step it failed at.
        const branches = parseBranches(await branchesOfRun(tx, id));
        const failedAt = branches ? branches.filter((b) => b.status === 'failed' && b.node).map((b) => b.node!) : [run.current_node];
        const current = run.current_node;
        let version = run.version;
        if (use === 'live') {
          // After a logic fix is published, the retry runs the fix from the failed step on.
          const workflow = await findWorkflow(tx, run.workflow_id);
          const live = workflow?.published_version ?? null;
          if (live === null) throw conflict('this workflow has no live version to retry with; retry as it ran');
          const graph = workflow?.published_graph;
          const missing = failedAt.find((nodeId) => !graph?.nodes.some((n) => n.id === nodeId));
          if (missing !== undefined) {
            throw conflict(`the live version v${live} has no step "${missing}" to retry from; retry as it ran, or publish a version that keeps that step`);
          }
          if (live !== run.version) await moveRunToVersion(tx, id, live);
          version = live;
        }
        const { status, retried } = branches
          ? await retryBranches(app, tx, { id: run.id, branches }, (nodeId, iteration) => retryStepDelivery(tx, run.id, nodeId, iteration))
          : { status: await retryRun(app, tx, { id: run.id, current_node: current }, () => retryStepDelivery(tx, run.id, current)), retried: undefined };
        await recordAudit(tx, actorFrom(req), {
          action: 'run.retried',
          targetType: 'run',
          targetId: id,
          before: { status: run.status, error: run.error, version: run.version },
          after: { status: 'running', from: run.current_node, version, use, ...(retried ? { branches: retried } : {}) },
        });
        const firstVersion = version !== run.version ? (run.first_version ?? run.version) : run.first_version;
        return toRunSummary({ ...run, status, error: null, finished_at: null, version, first_version: firstVersion });
      });
    },
  );

  route({ method: 'post', path: '/runs/:id/cancel', access: 'runs:write', tag, summary: 'Cancel a waiting or running run', response: runSummarySchema }, async ({ req, params }) => {
    const id = params.id!;
    return withTransaction(app.pool, async (tx) => {
      const run = await findRunSummary(tx, id, true);
      if (!run) throw notFound('run', id);
      if (!['waiting', 'running'].includes(run.status)) throw conflict(`only a waiting or running run can be cancelled; this one is ${run.status}`);
      await cancelRun(tx, id);
      await recordAudit(tx, actorFrom(req), { action: 'run.cancelled', targetType: 'run', targetId: id, before: { status: run.status }, after: { status: 'cancelled' } });
      return toRunSummary({ ...run, status: 'cancelled', finished_at: new Date() });
    });
  });

  return router;
}
