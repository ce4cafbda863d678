import crypto from 'node:crypto';
import { diffGraphs, findTrigger, triggerEventType, type Workflow } from '@tripline/shared';
import type { WorkflowRow } from '../../db/workflows.ts';

export function newWorkflowId(): string {
  return `wf_${crypto.randomBytes(9).toString('base64url')}`;
}

/** The API shape of a workflow row: its draft, and whether the draft differs from what runs. */
export function toWorkflow(row: WorkflowRow): Workflow {
  const trigger = findTrigger(row.draft.nodes);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    graph: row.draft,
    revision: row.draft_revision,
    enabled: row.enabled,
    publishedVersion: row.published_version,
    hasUnpublishedChanges: row.published_version === null || !row.published_graph || !diffGraphs(row.published_graph, row.draft).same,
    triggerEventType: (trigger && triggerEventType(trigger)) ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
