import type { Queryable } from './queryable.ts';

/**
 * SQL of the runs family (runs, run_steps). Only the run state machine
 * (engine/runs/state-machine.ts) and its write buffer call the writers here; every
 * multi-row write is one unnest statement, however many runs a batch touched.
 */

export interface RunRow {
  id: string;
  workflow_id: string;
  version: number;
  event_id: string;
  status: string;
  current_node: string | null;
  depth: number;
  vars: Record<string, unknown>;
  error?: string | null;
}

/** A run with the step row at its current node, if any (a waiting or failed step). */
export interface LockedRun extends RunRow {
  step: { status: string; output: unknown; seq: number } | undefined;
}

export interface NewRunRow {
  id: string;
  workflowId: string;
  version: number;
  eventId: string;
  eventType: string;
  subject: string | null;
  status: string;
  currentNode: string | null;
  depth: number;
  vars: Record<string, unknown>;
  error: string | null;
  finished: boolean;
}

export interface RunUpdate {
  id: string;
  status: string;
  currentNode: string | null;
  /** null keeps the stored vars (a failure does not overwrite them). */
  vars: Record<string, unknown> | null;
  /** Written only with status failed. */
  error: string | null;
  finished: boolean;
}

export interface StepWrite {
  runId: string;
  nodeId: string;
  nodeType: string;
  /** Known for a step row that already exists; otherwise counted after the run's stored steps. */
  seq: number | null;
  /** Position among this write's new steps of the run (the count of stored steps is added). */
  ord: number;
  status: string;
  input: unknown;
  output: unknown;
  error: string | null;
  finished: boolean;
}

/** Locks runs and loads each with the step at its current node: one statement for a batch. */
export async function lockRuns(db: Queryable, ids: string[]): Promise<LockedRun[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query(
    `select r.id, r.workflow_id, r.version, r.event_id, r.status, r.current_node, r.depth, r.vars, r.error,
            s.status as step_status, s.output as step_output, s.seq as step_seq
       from runs r left join run_steps s on s.run_id = r.id and s.node_id = r.current_node
      where r.id = any($1::text[]) order by r.seq for update of r`,
    [ids],
  );
  return rows.map((r) => ({
    id: r.id,
    workflow_id: r.workflow_id,
    version: r.version,
    event_id: r.event_id,
    status: r.status,
    current_node: r.current_node,
    depth: r.depth,
    vars: r.vars,
    error: r.error,
    step: r.step_status ? { status: r.step_status, output: r.step_output, seq: r.step_seq } : undefined,
  }));
}

/**
 * Inserts new runs in their end-of-slice state and their steps in one statement. A run
 * that already exists (one run per workflow and event) is skipped with its steps; returns
 * the ids that were inserted.
 */
export async function insertRunsWithSteps(db: Queryable, runs: NewRunRow[], steps: StepWrite[]): Promise<Set<string>> {
  if (runs.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>(
    `with r as (
       insert into runs (id, workflow_id, version, event_id, event_type, subject, status, current_node, depth, vars, error, finished_at)
       select id, workflow_id, version, event_id, event_type, subject, status, current_node, depth, vars, error, case when finished then now() end
         from unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::jsonb[], $11::text[], $12::bool[])
           as t(id, workflow_id, version, event_id, event_type, subject, status, current_node, depth, vars, error, finished)
       on conflict (workflow_id, event_id) do nothing
       returning id
     ), s as (
       insert into run_steps (run_id, node_id, node_type, seq, status, input, output, error, started_at, finished_at)
       select s.run_id, s.node_id, s.node_type, s.ord, s.status, s.input, s.output, s.error, now(), case when s.finished then now() end
         from unnest($13::text[], $14::text[], $15::text[], $16::int[], $17::text[], $18::jsonb[], $19::jsonb[], $20::text[], $21::bool[])
           as s(run_id, node_id, node_type, ord, status, input, output, error, finished)
        where s.run_id in (select id from r)
     )
     select id from r`,
    [
      runs.map((r) => r.id),
      runs.map((r) => r.workflowId),
      runs.map((r) => r.version),
      runs.map((r) => r.eventId),
      runs.map((r) => r.eventType),
      runs.map((r) => r.subject),
      runs.map((r) => r.status),
      runs.map((r) => r.currentNode),
      runs.map((r) => r.depth),
      runs.map((r) => JSON.stringify(r.vars)),
      runs.map((r) => r.error),
      runs.map((r) => r.finished),
      ...stepColumns(steps),
    ],
  );
  return new Set(rows.map((r) => r.id));
}

function stepColumns(steps: StepWrite[]): unknown[][] {
  return [
    steps.map((s) => s.runId),
    steps.map((s) => s.nodeId),
    steps.map((s) => s.nodeType),
    steps.map((s) => s.ord),
    steps.map((s) => s.status),
    steps.map((s) => JSON.stringify(s.input ?? null)),
    steps.map((s) => JSON.stringify(s.output ?? null)),
    steps.map((s) => s.error),
    steps.map((s) => s.finished),
  ];
}

/**
 * Writes steps of existing runs: a new step gets the next seq after the run's stored ones;
 * a step run again after failing counts one more attempt and restarts its clock.
 */
export async function upsertSteps(db: Queryable, steps: StepWrite[]): Promise<void> {
  if (steps.length === 0) return;
  await db.query(
    `insert into run_steps (run_id, node_id, node_type, seq, status, input, output, error, started_at, finished_at)
     select s.run_id, s.node_id, s.node_type,
            coalesce(s.seq, (select count(*) from run_steps x where x.run_id = s.run_id)::int + s.ord),
            s.status, s.input, s.output, s.error, now(), case when s.finished then now() end
       from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::jsonb[], $7::jsonb[], $8::text[], $9::bool[], $10::int[])
         as s(run_id, node_id, node_type, ord, status, input, output, error, finished, seq)
     on conflict (run_id, node_id) do update set
       status = excluded.status, output = excluded.output, error = excluded.error, finished_at = excluded.finished_at,
       attempts = run_steps.attempts + case when run_steps.status = 'failed' then 1 else 0 end,
       started_at = case when run_steps.status = 'failed' then now() else run_steps.started_at end`,
    [...stepColumns(steps), steps.map((s) => s.seq)],
  );
}

export async function updateRuns(db: Queryable, updates: RunUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  await db.query(
    `update runs r set status = u.status, current_node = u.current_node, vars = coalesce(u.vars, r.vars),
            error = case when u.status = 'failed' then u.error else r.error end,
            finished_at = case when u.finished then now() else r.finished_at end, updated_at = now()
       from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::bool[]) as u(id, status, current_node, vars, error, finished)
      where r.id = u.id`,
    [
      updates.map((u) => u.id),
      updates.map((u) => u.status),
      updates.map((u) => u.currentNode),
      updates.map((u) => (u.vars === null ? null : JSON.stringify(u.vars))),
      updates.map((u) => u.error),
      updates.map((u) => u.finished),
    ],
  );
}

/** A failed run back to work: waiting for its redelivered step, or running from the failed step. */
export async function reopenRun(db: Queryable, id: string, status: 'waiting' | 'running'): Promise<void> {
  await db.query(`update runs set status = $2, error = null, finished_at = null, attempt = attempt + 1, updated_at = now() where id = $1`, [id, status]);
}

/** The failed webhook step waits again for its delivery, sent once more. */
export async function reopenStep(db: Queryable, runId: string, nodeId: string): Promise<void> {
  await db.query(`update run_steps set status = 'waiting', error = null, attempts = attempts + 1, finished_at = null where run_id = $1 and node_id = $2`, [runId, nodeId]);
}

export async function cancelRunRows(db: Queryable, id: string): Promise<void> {
  await db.query(`update runs set status = 'cancelled', finished_at = now(), updated_at = now() where id = $1`, [id]);
  await db.query(`update run_steps set status = 'cancelled', finished_at = now() where run_id = $1 and status in ('waiting', 'running')`, [id]);
}

export async function workflowName(db: Queryable, workflowId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ name: string }>('select name from workflows where id = $1', [workflowId]);
  return rows[0]?.name;
}

export interface TriggerRow {
  workflow_id: string;
  version: number;
  config: Record<string, unknown>;
}

/** The routing table: one index lookup by event type. */
export async function triggersFor(db: Queryable, eventType: string): Promise<TriggerRow[]> {
  const { rows } = await db.query<TriggerRow>('select workflow_id, version, config from workflow_triggers where event_type = $1 order by workflow_id', [eventType]);
  return rows;
}
