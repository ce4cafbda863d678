import {
  diffGraphs,
  dryRunRequestSchema,
  dryRunResultSchema,
  isEventType,
  publishResultSchema,
  publishSchema,
  validateGraph,
  workflowGraphSchema,
  workflowInputSchema,
  workflowSchema,
  workflowUpdateSchema,
  workflowVersionSchema,
  type GraphProblem,
} from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../../audit/record.ts';
import { authorize } from '../../auth/middleware.ts';
import { allowed } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import { withTransaction } from '../../db/pool.ts';
import { HttpError, notFound, parseOr422 } from '../../http/errors.ts';
import { describeRoute } from '../../http/openapi.ts';
import { dryRun } from '../runs/dry-run.ts';
import { toEnvelope } from '../store-events.ts';
import { findWorkflow, listWorkflows, newWorkflowId, syncTrigger, toWorkflow } from './repository.ts';

const tag = 'Workflows';
describeRoute({ method: 'get', path: '/api/v1/workflows', tag, summary: 'List workflows', response: z.object({ data: z.array(workflowSchema) }) });
describeRoute({ method: 'post', path: '/api/v1/workflows', tag, summary: 'Create a workflow (draft)', body: workflowInputSchema, response: workflowSchema, status: 201 });
describeRoute({ method: 'get', path: '/api/v1/workflows/:id', tag, summary: 'One workflow with its draft', response: workflowSchema });
describeRoute({ method: 'put', path: '/api/v1/workflows/:id', tag, summary: 'Save the draft (409 if the revision is stale)', body: workflowUpdateSchema, response: workflowSchema });
describeRoute({ method: 'delete', path: '/api/v1/workflows/:id', tag, summary: 'Delete a workflow (its runs are kept)', status: 204 });
describeRoute({ method: 'post', path: '/api/v1/workflows/:id/publish', tag, summary: 'Publish the draft, or roll back to a version (the draft is kept); an unchanged graph publishes nothing', body: publishSchema, response: publishResultSchema });
describeRoute({ method: 'post', path: '/api/v1/workflows/:id/enable', tag, summary: 'Enable a workflow', response: workflowSchema });
describeRoute({ method: 'post', path: '/api/v1/workflows/:id/disable', tag, summary: 'Disable a workflow', response: workflowSchema });
describeRoute({ method: 'get', path: '/api/v1/workflows/:id/versions', tag, summary: 'Published versions', response: z.object({ data: z.array(workflowVersionSchema) }) });
describeRoute({ method: 'post', path: '/api/v1/workflows/:id/test', tag, summary: 'Dry-run the draft against a sample event (no side effects)', body: dryRunRequestSchema, response: dryRunResultSchema });

function problemDetails(problems: GraphProblem[]) {
  return problems.map((p) => ({ nodeId: p.nodeId, edgeId: p.edgeId, path: p.field, message: p.message }));
}

function invalidGraph(problems: GraphProblem[]): HttpError {
  const first = problems[0]!;
  const where = first.nodeId ? `node "${first.nodeId}": ` : first.edgeId ? `edge "${first.edgeId}": ` : '';
  return new HttpError(422, 'invalid_workflow', `the workflow cannot be published: ${where}${first.message}`, problemDetails(problems));
}

export function workflowsRouter(app: AppContext): Router {
  const router = Router();

  router.get('/workflows', authorize('workflows:read'), async (_req, res) => {
    res.json({ data: (await listWorkflows(app.pool)).map(toWorkflow) });
  });

  router.post('/workflows', authorize('workflows:write'), async (req, res) => {
    const input = parseOr422(workflowInputSchema, req.body);
    const id = newWorkflowId();
    const actor = actorFrom(req);
    const row = await withTransaction(app.pool, async (tx) => {
      await tx.query('insert into workflows (id, name, description, draft, created_by, updated_by) values ($1, $2, $3, $4, $5, $5)', [
        id,
        input.name,
        input.description ?? null,
        JSON.stringify(input.graph),
        actor.label,
      ]);
      await recordAudit(tx, actor, { action: 'workflow.created', targetType: 'workflow', targetId: id, after: input });
      return (await findWorkflow(tx, id))!;
    });
    res.status(201).json(toWorkflow(row));
  });

  router.get('/workflows/:id', authorize('workflows:read'), async (req, res) => {
    const row = await findWorkflow(app.pool, String(req.params.id));
    if (!row) throw notFound('workflow', String(req.params.id));
    res.json(toWorkflow(row));
  });

  router.put('/workflows/:id', authorize('workflows:write'), async (req, res) => {
    const id = String(req.params.id);
    const input = parseOr422(workflowUpdateSchema, req.body);
    const row = await withTransaction(app.pool, async (tx) => {
      const before = await findWorkflow(tx, id, true);
      if (!before) throw notFound('workflow', id);
      if (before.draft_revision !== input.revision) {
        throw new HttpError(409, 'revision_conflict', `someone saved this workflow since you opened it (revision ${before.draft_revision}, yours ${input.revision}); reload to see their changes`);
      }
      await tx.query(
        `update workflows set name = coalesce($2, name), description = case when $3::boolean then $4 else description end,
           draft = coalesce($5, draft), draft_revision = draft_revision + 1, updated_at = now(), updated_by = $6 where id = $1`,
        [id, input.name ?? null, input.description !== undefined, input.description ?? null, input.graph ? JSON.stringify(input.graph) : null, actorFrom(req).label],
      );
      const after = (await findWorkflow(tx, id))!;
      await recordAudit(tx, actorFrom(req), {
        action: 'workflow.updated',
        targetType: 'workflow',
        targetId: id,
        before: { name: before.name, description: before.description, graph: before.draft },
        after: { name: after.name, description: after.description, graph: after.draft },
      });
      return after;
    });
    res.json(toWorkflow(row));
  });

  router.delete('/workflows/:id', authorize('workflows:write'), async (req, res) => {
    const id = String(req.params.id);
    await withTransaction(app.pool, async (tx) => {
      const before = await findWorkflow(tx, id, true);
      if (!before) throw notFound('workflow', id);
      await tx.query('update workflows set deleted_at = now(), enabled = false where id = $1', [id]);
      await syncTrigger(tx, id);
      await recordAudit(tx, actorFrom(req), { action: 'workflow.deleted', targetType: 'workflow', targetId: id, before: toWorkflow(before) });
    });
    res.status(204).end();
  });

  router.post('/workflows/:id/publish', authorize('workflows:write'), async (req, res) => {
    const id = String(req.params.id);
    const { version: rollbackTo } = parseOr422(publishSchema, req.body ?? {});
    const result = await withTransaction(app.pool, async (tx) => {
      const before = await findWorkflow(tx, id, true);
      if (!before) throw notFound('workflow', id);
      let graph = before.draft;
      if (rollbackTo !== undefined) {
        const { rows } = await tx.query<{ graph: typeof graph }>('select graph from workflow_versions where workflow_id = $1 and version = $2', [id, rollbackTo]);
        if (!rows[0]) throw notFound('version', String(rollbackTo));
        graph = rows[0].graph;
      }
      // A version that was valid when it was published may be rolled back to as it was.
      const checked = validateGraph(workflowGraphSchema.parse(graph), { blankValues: rollbackTo === undefined });
      if (!checked.ok) throw invalidGraph(checked.problems);
      const live = before.published_version;
      if (live !== null && before.published_graph && diffGraphs(before.published_graph, graph).same) {
        // Nothing a run would notice changed: a new version would only add noise to the list.
        const message = rollbackTo !== undefined ? `v${rollbackTo} is what v${live} already runs; nothing was published` : `no changes since v${live}; nothing was published`;
        return { row: before, published: false, message };
      }
      const version = (live ?? 0) + 1;
      const actor = actorFrom(req);
      await tx.query('insert into workflow_versions (workflow_id, version, graph, published_by, rolled_back_from) values ($1, $2, $3, $4, $5)', [
        id,
        version,
        JSON.stringify(graph),
        actor.label,
        rollbackTo ?? null,
      ]);
      // A rollback changes what runs, never the draft: the person's work in progress is kept.
      await tx.query('update workflows set published_version = $2, updated_at = now() where id = $1', [id, version]);
      await syncTrigger(tx, id);
      await recordAudit(tx, actor, {
        action: rollbackTo !== undefined ? 'workflow.rolled_back' : 'workflow.published',
        targetType: 'workflow',
        targetId: id,
        before: { version: live, graph: before.published_graph ?? null },
        after: { version, graph, ...(rollbackTo !== undefined ? { from: rollbackTo } : {}) },
      });
      const message = rollbackTo !== undefined ? `Published version ${version} (a rollback to v${rollbackTo}); your draft is unchanged.` : `Published version ${version}.`;
      return { row: (await findWorkflow(tx, id))!, published: true, message };
    });
    res.json({ ...toWorkflow(result.row), published: result.published, message: result.message });
  });

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    router.post(`/workflows/:id/${action}`, authorize('workflows:write'), async (req, res) => {
      const id = String(req.params.id);
      const row = await withTransaction(app.pool, async (tx) => {
        const before = await findWorkflow(tx, id, true);
        if (!before) throw notFound('workflow', id);
        await tx.query('update workflows set enabled = $2, updated_at = now() where id = $1', [id, enabled]);
        await syncTrigger(tx, id);
        await recordAudit(tx, actorFrom(req), { action: `workflow.${action}d`, targetType: 'workflow', targetId: id, before: { enabled: before.enabled }, after: { enabled } });
        return (await findWorkflow(tx, id))!;
      });
      res.json(toWorkflow(row));
    });
  }

  router.get('/workflows/:id/versions', authorize('workflows:read'), async (req, res) => {
    const id = String(req.params.id);
    if (!(await findWorkflow(app.pool, id))) throw notFound('workflow', id);
    const { rows } = await app.pool.query<{ version: number; graph: unknown; published_at: Date; published_by: string | null; rolled_back_from: number | null }>(
      'select version, graph, published_at, published_by, rolled_back_from from workflow_versions where workflow_id = $1 order by version desc',
      [id],
    );
    res.json({
      data: rows.map((r) => ({ version: r.version, graph: r.graph, publishedAt: r.published_at.toISOString(), publishedBy: r.published_by, rolledBackFrom: r.rolled_back_from })),
    });
  });

  router.post('/workflows/:id/test', authorize('workflows:read'), async (req, res) => {
    const id = String(req.params.id);
    const { event, live } = parseOr422(dryRunRequestSchema, req.body);
    // A live call reaches a real API (it may change something there): editors and admins only.
    if (live && !allowed(req.principal, 'workflows:write')) {
      throw new HttpError(403, 'forbidden', 'a live dry run calls out for real: it needs workflows:write');
    }
    const row = await findWorkflow(app.pool, id);
    if (!row) throw notFound('workflow', id);
    const checked = validateGraph(row.draft);
    if (!checked.ok) throw invalidGraph(checked.problems);
    const type = event.type ?? String(checked.graph.trigger.config.eventType);
    if (!isEventType(type)) throw new HttpError(422, 'unknown_event_type', `unknown event type "${type}"`);
    const envelope = toEnvelope({ type, data: event.data, occurredAt: event.occurredAt, source: 'dry-run' });
    res.json(await dryRun(app, checked.graph, envelope, { live: live === true }));
  });

  return router;
}
