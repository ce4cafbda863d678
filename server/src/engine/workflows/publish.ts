import { diffGraphs, graphWarnings, storedGraphChange, validateGraph, workflowGraphSchema, type GraphProblem } from '@tripline/shared';
import { credentialOriginProblems } from '../../credentials/publish-check.ts';
import { recordAudit, type Actor } from '../../audit/record.ts';
import type { PoolClient } from '../../db/pool.ts';
import { findWorkflow, publishVersion, syncTrigger, versionGraph, type WorkflowRow } from '../../db/workflows.ts';
import { HttpError, notFound } from '../../http/errors.ts';

function problemDetails(problems: GraphProblem[]) {
  return problems.map((p) => ({ nodeId: p.nodeId, edgeId: p.edgeId, path: p.field, message: p.message }));
}

export function invalidGraph(problems: GraphProblem[]): HttpError {
  const first = problems[0]!;
  const where = first.nodeId ? `node "${first.nodeId}": ` : first.edgeId ? `edge "${first.edgeId}": ` : '';
  return new HttpError(422, 'invalid_workflow', `the workflow cannot be published: ${where}${first.message}`, problemDetails(problems));
}

/**
 * Publishes the draft, or an older version again (a rollback), in the caller's
 * transaction. An unchanged graph publishes nothing; a rollback never touches the draft.
 */
export async function publishWorkflow(
  tx: PoolClient,
  actor: Actor,
  id: string,
  rollbackTo: number | undefined,
): Promise<{ row: WorkflowRow; published: boolean; message: string; warnings: GraphProblem[] }> {
  const before = await findWorkflow(tx, id, true);
  if (!before) throw notFound('workflow', id);
  let graph = before.draft;
  if (rollbackTo !== undefined) {
    const old = await versionGraph(tx, id, rollbackTo);
    if (old === undefined) throw notFound('version', String(rollbackTo));
    graph = old as typeof graph;
  }
  // A version that was valid when it was published may be rolled back to as it was.
  const parsed = workflowGraphSchema.parse(graph);
  const checked = validateGraph(parsed, { blankValues: rollbackTo === undefined });
  if (!checked.ok) throw invalidGraph(checked.problems);
  const sendsCredentialAstray = await credentialOriginProblems(tx, parsed);
  if (sendsCredentialAstray.length) throw invalidGraph(sendsCredentialAstray);
  const warnings = graphWarnings(parsed);
  const live = before.published_version;
  if (live !== null && before.published_graph && diffGraphs(before.published_graph, graph).same) {
    // Nothing a run would notice changed: a new version would only add noise to the list.
    const message = rollbackTo !== undefined ? `v${rollbackTo} is what v${live} already runs; nothing was published` : `no changes since v${live}; nothing was published`;
    return { row: before, published: false, message, warnings };
  }
  const version = (live ?? 0) + 1;
  // A rollback changes what runs, never the draft: the person's work in progress is kept.
  await publishVersion(tx, { workflowId: id, version, graph, actor: actor.label, rolledBackFrom: rollbackTo ?? null });
  await syncTrigger(tx, id);
  await recordAudit(tx, actor, {
    action: rollbackTo !== undefined ? 'workflow.rolled_back' : 'workflow.published',
    targetType: 'workflow',
    targetId: id,
    // Versions by number: each is kept whole in workflow_versions (GET /workflows/:id/versions).
    before: { version: live },
    after: { version, graphChange: storedGraphChange(before.published_graph ?? { nodes: [], edges: [] }, graph), ...(rollbackTo !== undefined ? { from: rollbackTo } : {}) },
  });
  const message = rollbackTo !== undefined ? `Published version ${version} (a rollback to v${rollbackTo}); your draft is unchanged.` : `Published version ${version}.`;
  return { row: (await findWorkflow(tx, id))!, published: true, message, warnings };
}
