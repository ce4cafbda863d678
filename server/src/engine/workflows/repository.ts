import crypto from 'node:crypto';
import { diffGraphs, findTrigger, type Workflow, type WorkflowGraph } from '@tripline/shared';
import type { Queryable } from '../../db/queryable.ts';


export interface WorkflowRow {
  id: string;
  name: string;
  description: string | null;
  draft: WorkflowGraph;
  draft_revision: number;
  enabled: boolean;
  published_version: number | null;
  created_at: Date;
  updated_at: Date;
  published_graph?: WorkflowGraph | null;
}

export function newWorkflowId(): string {
  return `wf_${crypto.randomBytes(9).toString('base64url')}`;
}

const SELECT = `select w.*, v.graph as published_graph from workflows w
  left join workflow_versions v on v.workflow_id = w.id and v.version = w.published_version`;

export async function findWorkflow(db: Queryable, id: string, forUpdate = false): Promise<WorkflowRow | undefined> {
  const { rows } = await db.query<WorkflowRow>(`${SELECT} where w.id = $1 and w.deleted_at is null${forUpdate ? ' for update of w' : ''}`, [id]);
  return rows[0];
}

export async function listWorkflows(db: Queryable): Promise<WorkflowRow[]> {
  const { rows } = await db.query<WorkflowRow>(`${SELECT} where w.deleted_at is null order by w.updated_at desc limit 1000`);
  return rows;
}

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
    triggerEventType: typeof trigger?.config.eventType === 'string' ? trigger.config.eventType : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * Keeps the routing table in step with a workflow: one row while it is published and
 * enabled, none otherwise. The trigger config is stored so matching needs no graph.
 */
export async function syncTrigger(db: Queryable, workflowId: string): Promise<void> {
  const { rows } = await db.query<{ enabled: boolean; deleted_at: Date | null; version: number | null; graph: WorkflowGraph | null }>(
    `select w.enabled, w.deleted_at, w.published_version as version, v.graph
       from workflows w left join workflow_versions v on v.workflow_id = w.id and v.version = w.published_version where w.id = $1`,
    [workflowId],
  );
  const w = rows[0];
  const trigger = w?.graph ? findTrigger(w.graph.nodes) : undefined;
  if (!w || !w.enabled || w.deleted_at || w.version === null || !trigger) {
    await db.query('delete from workflow_triggers where workflow_id = $1', [workflowId]);
    return;
  }
  await db.query(
    `insert into workflow_triggers (workflow_id, version, event_type, config) values ($1, $2, $3, $4)
     on conflict (workflow_id) do update set version = excluded.version, event_type = excluded.event_type, config = excluded.config`,
    [workflowId, w.version, trigger.config.eventType, JSON.stringify(trigger.config)],
  );
}
