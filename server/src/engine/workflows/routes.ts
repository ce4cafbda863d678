import {
  dryRunRequestSchema,
  dryRunResultSchema,
  isEventType,
  publishResultSchema,
  publishSchema,
  storedGraphChange,
  triggerEventType,
  validateGraph,
  workflowInputSchema,
  workflowSchema,
  workflowUpdateSchema,
  workflowVersionSchema,
} from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../../audit/record.ts';
import { allowed } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import { withTransaction } from '../../db/pool.ts';
import { findWorkflow, insertWorkflow, listVersions, listWorkflows, markWorkflowDeleted, setWorkflowEnabled, syncTrigger, updateDraft } from '../../db/workflows.ts';
import { HttpError, notFound } from '../../http/errors.ts';
import { declareRoutes } from '../../http/route.ts';
import { dryRun } from '../runs/dry-run.ts';
import { toEnvelope } from '../store-events.ts';
import { invalidGraph, publishWorkflow } from './publish.ts';
import { assertStepTypesAllowed } from './step-policy.ts';
import { newWorkflowId, toWorkflow } from './workflow-view.ts';

const tag = 'Workflows';

export function workflowsRouter(app: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route({ method: 'get', path: '/workflows', access: 'workflows:read', tag, summary: 'List workflows', response: z.object({ data: z.array(workflowSchema) }) }, async () => ({
    data: (await listWorkflows(app.pool)).map(toWorkflow),
  }));

  route(
    { method: 'post', path: '/workflows', access: 'workflows:write', tag, summary: 'Create a workflow (draft)', body: workflowInputSchema, response: workflowSchema, status: 201 },
    async ({ req, body: input }) => {
      const id = newWorkflowId();
      const actor = actorFrom(req);
      const row = await withTransaction(app.pool, async (tx) => {
        await assertStepTypesAllowed(tx, req.principal, input.graph, null);
        await insertWorkflow(tx, { id, name: input.name, description: input.description ?? null, draft: input.graph, actor: actor.label });
        // The audit keeps what the graph holds as a diff from nothing, bounded (audit-diff.ts).
        await recordAudit(tx, actor, {
          action: 'workflow.created',
          targetType: 'workflow',
          targetId: id,
          after: { name: input.name, description: input.description ?? null, revision: 1, graphChange: storedGraphChange({ nodes: [], edges: [] }, input.graph) },
        });
        return (await findWorkflow(tx, id))!;
      });
      return toWorkflow(row);
    },
  );

  route({ method: 'get', path: '/workflows/:id', access: 'workflows:read', tag, summary: 'One workflow with its draft', response: workflowSchema }, async ({ params }) => {
    const row = await findWorkflow(app.pool, params.id!);
    if (!row) throw notFound('workflow', params.id!);
    return toWorkflow(row);
  });

  route(
    { method: 'put', path: '/workflows/:id', access: 'workflows:write', tag, summary: 'Save the draft (409 if the revision is stale)', body: workflowUpdateSchema, response: workflowSchema },
    async ({ req, params, body: input }) => {
      const id = params.id!;
      const row = await withTransaction(app.pool, async (tx) => {
        const before = await findWorkflow(tx, id, true);
        if (!before) throw notFound('workflow', id);
        if (before.draft_revision !== input.revision) {
          throw new HttpError(409, 'revision_conflict', `someone saved this workflow since you opened it (revision ${before.draft_revision}, yours ${input.revision}); reload to see their changes`);
        }
        if (input.graph) await assertStepTypesAllowed(tx, req.principal, input.graph, before.draft);
        await updateDraft(tx, id, { name: input.name, description: input.description, graph: input.graph, actor: actorFrom(req).label });
        const after = (await findWorkflow(tx, id))!;
        await recordAudit(tx, actorFrom(req), {
          action: 'workflow.updated',
          targetType: 'workflow',
          targetId: id,
          // The change, not both whole graphs: a draft save wrote up to about 2 MB here.
          before: { name: before.name, description: before.description, revision: before.draft_revision },
          after: {
            name: after.name,
            description: after.description,
            revision: after.draft_revision,
            ...(input.graph ? { graphChange: storedGraphChange(before.draft, after.draft) } : {}),
          },
        });
        return after;
      });
      return toWorkflow(row);
    },
  );

  route({ method: 'delete', path: '/workflows/:id', access: 'workflows:write', tag, summary: 'Delete a workflow (its runs are kept)', status: 204 }, async ({ req, params }) => {
    const id = params.id!;
    await withTransaction(app.pool, async (tx) => {
      const before = await findWorkflow(tx, id, true);
      if (!before) throw notFound('workflow', id);
      await markWorkflowDeleted(tx, id);
      await syncTrigger(tx, id);
      await recordAudit(tx, actorFrom(req), {
        action: 'workflow.deleted',
        targetType: 'workflow',
        targetId: id,
        // Its published versions stay in workflow_versions; the audit names them, not the graphs.
        before: { name: before.name, description: before.description, enabled: before.enabled, publishedVersion: before.published_version, revision: before.draft_revision },
      });
    });
  });

  route(
    {
      method: 'post',
      path: '/workflows/:id/publish',
      access: 'workflows:write',
      tag,
      summary: 'Publish the draft, or roll back to a version (the draft is kept); an unchanged graph publishes nothing',
      body: publishSchema,
      response: publishResultSchema,
    },
    async ({ req, params, body: { version: rollbackTo } }) => {
      const result = await withTransaction(app.pool, async (tx) => {
        // A rollback publishes a version someone published before; new work is checked against the live version.
        if (rollbackTo === undefined) {
          const before = await findWorkflow(tx, params.id!, true);
          if (before) await assertStepTypesAllowed(tx, req.principal, before.draft, before.published_graph);
        }
        return publishWorkflow(tx, actorFrom(req), params.id!, rollbackTo);
      });
      return { ...toWorkflow(result.row), published: result.published, message: result.message, warnings: result.warnings.map((w) => ({ ...(w.nodeId ? { nodeId: w.nodeId } : {}), message: w.message })) };
    },
  );

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    const summary = enabled ? 'Enable a workflow' : 'Disable a workflow';
    route({ method: 'post', path: `/workflows/:id/${action}`, access: 'workflows:write', tag, summary, response: workflowSchema }, async ({ req, params }) => {
      const id = params.id!;
      const row = await withTransaction(app.pool, async (tx) => {
        const before = await findWorkflow(tx, id, true);
        if (!before) throw notFound('workflow', id);
        await setWorkflowEnabled(tx, id, enabled);
        await syncTrigger(tx, id);
        await recordAudit(tx, actorFrom(req), { action: `workflow.${action}d`, targetType: 'workflow', targetId: id, before: { enabled: before.enabled }, after: { enabled } });
        return (await findWorkflow(tx, id))!;
      });
      return toWorkflow(row);
    });
  }

  route(
    { method: 'get', path: '/workflows/:id/versions', access: 'workflows:read', tag, summary: 'Published versions', response: z.object({ data: z.array(workflowVersionSchema) }) },
    async ({ params }) => {
      const id = params.id!;
      if (!(await findWorkflow(app.pool, id))) throw notFound('workflow', id);
      const rows = await listVersions(app.pool, id);
      return {
        data: rows.map((r) => ({ version: r.version, graph: r.graph, publishedAt: r.published_at.toISOString(), publishedBy: r.published_by, rolledBackFrom: r.rolled_back_from })),
      };
    },
  );

  route(
    {
      method: 'post',
      path: '/workflows/:id/test',
      // It runs the draft's code steps and can call out (live): people who edit workflows only.
      access: 'workflows:write',
      tag,
      summary: 'Dry-run the draft against a sample event (no side effects; bounded steps and size)',
      body: dryRunRequestSchema,
      response: dryRunResultSchema,
    },
    async ({ req, params, body: { event, live, waits } }) => {
      const id = params.id!;
      // A live call reaches a real API (it may change something there): editors and admins only
      // (marketers build workflows but do not call out to other systems by hand).
      if (live && !allowed(req.principal, 'endpoints:write')) {
        throw new HttpError(403, 'forbidden', 'a live dry run calls out for real: it needs endpoints:write (an editor or an admin)');
      }
      const row = await findWorkflow(app.pool, id);
      if (!row) throw notFound('workflow', id);
      const checked = validateGraph(row.draft);
      if (!checked.ok) throw invalidGraph(checked.problems);
      const type = event.type ?? String(triggerEventType(checked.graph.trigger));
      if (!isEventType(type)) throw new HttpError(422, 'unknown_event_type', `unknown event type "${type}"`);
      const envelope = toEnvelope({ type, data: event.data, occurredAt: event.occurredAt, source: 'dry-run' });
      return dryRun(app, checked.graph, envelope, { live: live === true, ...(waits ? { waits } : {}) });
    },
  );

  return router;
}
