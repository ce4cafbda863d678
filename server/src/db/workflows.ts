import { findTrigger, triggerEventType, type WorkflowGraph } from '@tripline/shared';
import type { Queryable } from './queryable.ts';

/**
 * SQL of the workflows family (workflows, workflow_versions, workflow_triggers): the
 * editor's reads and writes, the published versions runs execute, and the routing table
 * the matcher reads.
 */

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

export interface WorkflowVersionRow {
  version: number;
  graph: WorkflowGraph;
  published_at: Date;
  published_by: string | null;
  rolled_back_from: number | null;
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

/** Whether any workflow was ever created (deleted ones count: the demo seeds only an empty database). */
export async function anyWorkflowExists(db: Queryable): Promise<boolean> {
  const { rows } = await db.query('select 1 from workflows limit 1');
  return rows.length > 0;
}

export async function insertWorkflow(db: Queryable, w: { id: string; name: string; description: string | null; draft: WorkflowGraph; actor: string }): Promise<void> {
  await db.query('insert into workflows (id, name, description, draft, created_by, updated_by) values ($1, $2, $3, $4, $5, $5)', [
    w.id,
    w.name,
    w.description,
    JSON.stringify(w.draft),
    w.actor,
  ]);
}

/** A workflow created already published as version 1 (the demo's). */
export async function insertPublishedWorkflow(db: Queryable, w: { id: string; name: string; graph: WorkflowGraph; actor: string }): Promise<void> {
  await db.query(`insert into workflows (id, name, draft, published_version, created_by) values ($1, $2, $3, 1, $4)`, [w.id, w.name, JSON.stringify(w.graph), w.actor]);
  await db.query(`insert into workflow_versions (workflow_id, version, graph, published_by) values ($1, 1, $2, $3)`, [w.id, JSON.stringify(w.graph), w.actor]);
}

/** Saves the draft; a field left undefined keeps its value (description may be set to null). */
export async function updateDraft(
  db: Queryable,
  id: string,
  change: { name?: string; description?: string | null; graph?: WorkflowGraph; actor: string },
): Promise<void> {
  await db.query(
    `update workflows set name = coalesce($2, name), description = case when $3::boolean then $4 else description end,
       draft = coalesce($5, draft), draft_revision = draft_revision + 1, updated_at = now(), updated_by = $6 where id = $1`,
    [id, change.name ?? null, change.description !== undefined, change.description ?? null, change.graph ? JSON.stringify(change.graph) : null, change.actor],
  );
}

/** Soft delete: runs keep pointing at the workflow and its versions. */
export async function markWorkflowDeleted(db: Queryable, id: string): Promise<void> {
  await db.query('update workflows set deleted_at = now(), enabled = false where id = $1', [id]);
}

export async function setWorkflowEnabled(db: Queryable, id: string, enabled: boolean): Promise<void> {
  await db.query('update workflows set enabled = $2, updated_at = now() where id = $1', [id, enabled]);
}

export async function versionGraph(db: Queryable, workflowId: string, version: number): Promise<unknown> {
  const { rows } = await db.query<{ graph: unknown }>('select graph from workflow_versions where workflow_id = $1 and version = $2', [workflowId, version]);
  return rows[0]?.graph;
}

export async function listVersions(db: Queryable, workflowId: string): Promise<WorkflowVersionRow[]> {
  const { rows } = await db.query<WorkflowVersionRow>(
    'select version, graph, published_at, published_by, rolled_back_from from workflow_versions where workflow_id = $1 order by version desc',
    [workflowId],
  );
  return rows;
}

/** Stores a new version and makes it the one that runs; the draft is left as it is. */
export async function publishVersion(db: Queryable, v: { workflowId: string; version: number; graph: WorkflowGraph; actor: string; rolledBackFrom: number | null }): Promise<void> {
  await db.query('insert into workflow_versions (workflow_id, version, graph, published_by, rolled_back_from) values ($1, $2, $3, $4, $5)', [
    v.workflowId,
    v.version,
    JSON.stringify(v.graph),
    v.actor,
    v.rolledBackFrom,
  ]);
  await db.query('update workflows set published_version = $2, updated_at = now() where id = $1', [v.workflowId, v.version]);
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
    [workflowId, w.version, triggerEventType(trigger), JSON.stringify(trigger.config)],
  );
}

/** The live triggers on an event type, with their workflow's name (why an event started no run). */
export async function triggersOn(db: Queryable, eventType: string): Promise<{ name: string; config: Record<string, unknown> }[]> {
  const { rows } = await db.query<{ name: string; config: Record<string, unknown> }>(
    `select w.name, t.config from workflow_triggers t join workflows w on w.id = t.workflow_id where t.event_type = $1 order by w.name`,
    [eventType],
  );
  return rows;
}

/** Workflows whose draft starts on the event type but that do not run on it (unpublished, disabled, or changed since). */
export async function idleDraftsOn(db: Queryable, eventType: string): Promise<{ name: string; published: boolean; enabled: boolean }[]> {
  const { rows } = await db.query<{ name: string; published: boolean; enabled: boolean }>(
    `select name, published_version is not null as published, enabled from workflows w
      where deleted_at is null and draft->'nodes' @> $1::jsonb
        and not exists (select 1 from workflow_triggers t where t.workflow_id = w.id and t.event_type = $2)
      order by name limit 20`,
    [JSON.stringify([{ type: 'trigger', config: { eventType } }]), eventType],
  );
  return rows;
}
