import type { EventEnvelope } from '@tripline/shared';
import { EVENT_COLUMNS, rowToEnvelope, type EventRow } from './events.ts';
import type { Queryable } from './queryable.ts';
import { capJsonText, capText } from './stored-size.ts';

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
  /** The for_each loop the run is inside (engine/runs/loop.ts parses it); null outside one. */
  loop_state?: unknown;
  /** What its step rows hold so far (see stepColumns), for the bound on a run's history. */
  history_bytes?: number;
  /** A forked run's branches (engine/runs/branches.ts parses them); null for a run that never forked. */
  branches?: unknown;
}

/** A run with the step row at its current node (and iteration), if any (a waiting or failed step). */
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
  loopState: unknown;
  /** Set when the run forked in its first slice (engine/runs/branches.ts). */
  branches?: unknown;
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
  /** The loop state to store; undefined keeps the stored one (a failure keeps it for a retry). */
  loopState?: unknown;
  /** A forked run's branches to store; undefined keeps the stored ones (null for a run that never forked). */
  branches?: unknown;
}

export interface StepWrite {
  runId: string;
  nodeId: string;
  nodeType: string;
  /** The for_each iteration the step ran in; -1 outside a loop. */
  iteration: number;
  /** Known for a step row that already exists; otherwise counted after the run's stored steps. */
  seq: number | null;
  /** Position among this write's new steps of the run (the count of stored steps is added). */
  ord: number;
  status: string;
  input: unknown;
  output: unknown;
  error: string | null;
  finished: boolean;
  /** The branch that ran it ("1", "2.1"); absent before any fork. */
  branch?: string | null;
}

/** Locks runs and loads each with the step at its current node: one statement for a batch. */
export async function lockRuns(db: Queryable, ids: string[]): Promise<LockedRun[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<LockedRunRow>(lockRunsSql(''), [ids]);
  return rows.map(toLockedRun);
}

/**
 * `lockRuns` with each run's trigger event, in the same statement (a batch of runs resumed
 * by settled deliveries reads both): `event` is undefined when the event no longer exists.
 */
export async function lockRunsWithEvents(db: Queryable, ids: string[]): Promise<{ run: LockedRun; event: EventEnvelope | undefined }[]> {
  if (ids.length === 0) return [];
  const columns = EVENT_COLUMNS.split(', ');
  const { rows } = await db.query<LockedRunRow & Record<string, unknown>>(lockRunsSql(columns.map((c) => `, e.${c} as ev_${c}`).join(''), 'left join events e on e.id = r.event_id'), [ids]);
  return rows.map((r) => {
    const event = r.ev_id === null ? undefined : rowToEnvelope(Object.fromEntries(columns.map((c) => [c, r[`ev_${c}`]])) as unknown as EventRow);
    return { run: toLockedRun(r), event };
  });
}

function lockRunsSql(extraColumns: string, extraJoin = ''): string {
  return `select r.id, r.workflow_id, r.version, r.event_id, r.status, r.current_node, r.depth, r.vars, r.error, r.loop_state, r.history_bytes::float8 as history_bytes, r.branches,
            s.status as step_status, s.output as step_output, s.seq as step_seq${extraColumns}
       from runs r left join run_steps s on s.run_id = r.id and s.node_id = r.current_node
        and s.iteration = coalesce((r.loop_state->>'index')::int, -1) ${extraJoin}
      where r.id = any($1::text[]) order by r.seq for update of r`;
}

type LockedRunRow = RunRow & { step_status: string | null; step_output: unknown; step_seq: number };

function toLockedRun(r: LockedRunRow): LockedRun {
  return {
    id: r.id,
    workflow_id: r.workflow_id,
    version: r.version,
    event_id: r.event_id,
    status: r.status,
    current_node: r.current_node,
    depth: r.depth,
    vars: r.vars,
    error: r.error,
    loop_state: r.loop_state,
    history_bytes: r.history_bytes,
    branches: r.branches,
    step: r.step_status ? { status: r.step_status, output: r.step_output, seq: r.step_seq } : undefined,
  };
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
       insert into runs (id, workflow_id, version, event_id, event_type, subject, status, current_node, depth, vars, error, finished_at, loop_state, history_bytes, branches)
       select id, workflow_id, version, event_id, event_type, subject, status, current_node, depth, vars, error, case when finished then now() end, loop_state, history_bytes, branches
         from unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::jsonb[], $11::text[], $12::bool[], $23::jsonb[], $24::bigint[], $26::jsonb[])
           as t(id, workflow_id, version, event_id, event_type, subject, status, current_node, depth, vars, error, finished, loop_state, history_bytes, branches)
       on conflict (workflow_id, event_id) do nothing
       returning id
     ), s as (
       insert into run_steps (run_id, node_id, node_type, seq, status, input, output, error, started_at, finished_at, iteration, branch)
       select s.run_id, s.node_id, s.node_type, s.ord, s.status, s.input, s.output, s.error, now(), case when s.finished then now() end, s.iteration, s.branch
         from unnest($13::text[], $14::text[], $15::text[], $16::int[], $17::text[], $18::jsonb[], $19::jsonb[], $20::text[], $21::bool[], $22::int[], $25::text[])
           as s(run_id, node_id, node_type, ord, status, input, output, error, finished, iteration, branch)
        where s.run_id in (select id from r)
     )
     select id from r`,
    [
      ...runColumnsWith(runs, stepColumns(steps)),
    ],
  );
  return new Set(rows.map((r) => r.id));
}

/** The parameters of insertRunsWithSteps: the runs' columns, their steps' columns, then the loop states, history sizes, step branches and run branches. */
function runColumnsWith(runs: NewRunRow[], steps: { columns: unknown[][]; branches: unknown[]; bytes: Map<string, number> }): unknown[][] {
  return [
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
      runs.map((r) => capText(r.error)),
      runs.map((r) => r.finished),
      ...steps.columns,
      runs.map((r) => (r.loopState === null || r.loopState === undefined ? null : JSON.stringify(r.loopState))),
      runs.map((r) => steps.bytes.get(r.id) ?? 0),
      steps.branches,
      runs.map((r) => jsonOrNull(r.branches)),
  ];
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/**
 * The step columns of a multi-row write, each input, output and error capped (stored-size.ts),
 * and what they add to each run's stored history (runs.history_bytes), by run id.
 */
function stepColumns(steps: StepWrite[]): { columns: unknown[][]; branches: (string | null)[]; bytes: Map<string, number> } {
  const inputs = steps.map((s) => capJsonText(JSON.stringify(s.input ?? null)));
  const outputs = steps.map((s) => capJsonText(JSON.stringify(s.output ?? null)));
  const errors = steps.map((s) => capText(s.error));
  const bytes = new Map<string, number>();
  steps.forEach((s, i) => bytes.set(s.runId, (bytes.get(s.runId) ?? 0) + inputs[i]!.length + outputs[i]!.length + (errors[i]?.length ?? 0)));
  return {
    columns: [
      steps.map((s) => s.runId),
      steps.map((s) => s.nodeId),
      steps.map((s) => s.nodeType),
      steps.map((s) => s.ord),
      steps.map((s) => s.status),
      inputs,
      outputs,
      errors,
      steps.map((s) => s.finished),
      steps.map((s) => s.iteration),
    ],
    branches: steps.map((s) => s.branch ?? null),
    bytes,
  };
}

/**
 * Writes the ends of slices of existing runs in one statement: their steps (a new step gets
 * the next seq after the run's stored ones; a step run again after failing counts one more
 * attempt and restarts its clock) and their run rows (status, node, vars, loop state).
 */
export async function writeSliceEnds(db: Queryable, steps: StepWrite[], updates: RunUpdate[]): Promise<void> {
  if (steps.length === 0 && updates.length === 0) return;
  const stepped = stepColumns(steps);
  await db.query(
    `with upserted_steps as (
       insert into run_steps (run_id, node_id, node_type, seq, status, input, output, error, started_at, finished_at, iteration, branch)
       select s.run_id, s.node_id, s.node_type,
              coalesce(s.seq, (select count(*) from run_steps x where x.run_id = s.run_id)::int + s.ord),
              s.status, s.input, s.output, s.error, now(), case when s.finished then now() end, s.iteration, s.branch
         from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::jsonb[], $7::jsonb[], $8::text[], $9::bool[], $10::int[], $11::int[], $21::text[])
           as s(run_id, node_id, node_type, ord, status, input, output, error, finished, iteration, seq, branch)
       on conflict (run_id, node_id, iteration) do update set
         status = excluded.status, output = excluded.output, error = excluded.error, finished_at = excluded.finished_at,
         attempts = run_steps.attempts + case when run_steps.status = 'failed' then 1 else 0 end,
         started_at = case when run_steps.status = 'failed' then now() else run_steps.started_at end
     ), updated_runs as (
       update runs r set status = u.status, current_node = u.current_node, vars = coalesce(u.vars, r.vars),
              error = case when u.status = 'failed' then u.error else r.error end,
              finished_at = case when u.finished then now() else r.finished_at end, updated_at = now(),
              loop_state = case when u.keep_loop then r.loop_state else u.loop_state end,
              history_bytes = r.history_bytes + u.history_bytes,
              branches = case when u.keep_branches then r.branches else u.branches end
         from unnest($12::text[], $13::text[], $14::text[], $15::jsonb[], $16::text[], $17::bool[], $18::jsonb[], $19::bool[], $20::bigint[], $22::jsonb[], $23::bool[])
           as u(id, status, current_node, vars, error, finished, loop_state, keep_loop, history_bytes, branches, keep_branches)
        where r.id = u.id
     )
     select 1`,
    [
      ...stepped.columns,
      steps.map((s) => s.seq),
      updates.map((u) => u.id),
      updates.map((u) => u.status),
      updates.map((u) => u.currentNode),
      updates.map((u) => (u.vars === null ? null : JSON.stringify(u.vars))),
      updates.map((u) => capText(u.error)),
      updates.map((u) => u.finished),
      updates.map((u) => (u.loopState === undefined || u.loopState === null ? null : JSON.stringify(u.loopState))),
      updates.map((u) => u.loopState === undefined),
      // A run's steps and its update are written together (a slice's end); each run is updated once.
      updates.map((u) => stepped.bytes.get(u.id) ?? 0),
      stepped.branches,
      updates.map((u) => jsonOrNull(u.branches)),
      updates.map((u) => u.branches === undefined),
    ],
  );
}

/** A failed run back to work: waiting for its redelivered step, or running from the failed step. */
/** A retry with the live version: the run continues on `version`, remembering the one it started on. */
export async function moveRunToVersion(db: Queryable, id: string, version: number): Promise<void> {
  await db.query(`update runs set first_version = coalesce(first_version, version), version = $2 where id = $1`, [id, version]);
}

export async function reopenRun(db: Queryable, id: string, status: 'waiting' | 'running'): Promise<void> {
  await db.query(`update runs set status = $2, error = null, finished_at = null, attempt = attempt + 1, updated_at = now() where id = $1`, [id, status]);
}

/** The iteration a run is at: its loop's index, -1 outside a loop (SQL, for statements keyed by it). */
const CURRENT_ITERATION = `coalesce((select (loop_state->>'index')::int from runs where id = $1), -1)`;

/** The failed webhook step (in the run's current iteration) waits again for its delivery, sent once more. */
export async function reopenStep(db: Queryable, runId: string, nodeId: string): Promise<void> {
  await db.query(
    `update run_steps set status = 'waiting', error = null, attempts = attempts + 1, finished_at = null
      where run_id = $1 and node_id = $2 and iteration = ${CURRENT_ITERATION}`,
    [runId, nodeId],
  );
}

/** A forked run's failed step (in its branch's iteration) waits again for its delivery, sent once more. */
export async function reopenStepAt(db: Queryable, runId: string, nodeId: string, iteration: number): Promise<void> {
  await db.query(
    `update run_steps set status = 'waiting', error = null, attempts = attempts + 1, finished_at = null where run_id = $1 and node_id = $2 and iteration = $3`,
    [runId, nodeId, iteration],
  );
}

/** The step rows at a forked run's branch cursors (node and iteration each), for resuming its branches. */
export async function stepsAt(db: Queryable, runId: string, at: { nodeId: string; iteration: number }[]): Promise<{ node_id: string; iteration: number; status: string; output: unknown; seq: number }[]> {
  if (at.length === 0) return [];
  const { rows } = await db.query(
    `select s.node_id, s.iteration, s.status, s.output, s.seq from run_steps s
       join unnest($2::text[], $3::int[]) as a(node_id, iteration) on a.node_id = s.node_id and a.iteration = s.iteration
      where s.run_id = $1`,
    [runId, at.map((a) => a.nodeId), at.map((a) => a.iteration)],
  );
  return rows;
}

/** A forked run back to work from its failed branches: their (already rewritten) cursors, and the run reopened. */
export async function reopenBranchedRun(db: Queryable, id: string, status: 'waiting' | 'running', branches: unknown, currentNode: string | null): Promise<void> {
  await db.query(
    `update runs set status = $2, error = null, finished_at = null, attempt = attempt + 1, updated_at = now(), branches = $3, current_node = $4 where id = $1`,
    [id, status, JSON.stringify(branches), currentNode],
  );
}

/** Cancels a run: its waiting steps are cancelled and its waits for events deleted (nothing wakes it). */
export async function cancelRunRows(db: Queryable, id: string): Promise<void> {
  // A forked run's open branches are cancelled with it (the others keep how they ended).
  await db.query(
    `update runs set status = 'cancelled', finished_at = now(), updated_at = now(),
            branches = (select jsonb_agg(case when b->>'status' in ('running', 'waiting') then jsonb_set(b, '{status}', '"cancelled"') else b end order by n)
                          from jsonb_array_elements(branches) with ordinality as x(b, n))
      where id = $1`,
    [id],
  );
  await db.query(`update run_steps set status = 'cancelled', finished_at = now() where run_id = $1 and status in ('waiting', 'running')`, [id]);
  await deleteRunWaits(db, id);
}

/**
 * Locks runs with a statement of its own before reading them with `lockRuns`: a run that
 * another transaction changed while we waited for its lock is then read as committed
 * (lockRuns' join alone would re-check the run row but keep the step row it saw first).
 * For the paths where two transactions race for one run: a wait's event and its timeout.
 */
export async function lockRunsFresh(db: Queryable, ids: string[]): Promise<LockedRun[]> {
  if (ids.length === 0) return [];
  await db.query('select id from runs where id = any($1::text[]) order by seq for update', [ids]);
  return lockRuns(db, ids);
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

/** A run parked at a wait_for_event step (migration 0013's run_waits). */
export interface WaitRow {
  runId: string;
  nodeId: string;
  iteration: number;
  eventType: string;
  correlationKey: string;
  expiresAt: Date;
}

export async function insertWaits(db: Queryable, waits: WaitRow[]): Promise<void> {
  if (waits.length === 0) return;
  await db.query(
    `insert into run_waits (run_id, node_id, iteration, event_type, correlation_key, expires_at)
     select * from unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::timestamptz[])
     on conflict (run_id, node_id, iteration) do update set
       event_type = excluded.event_type, correlation_key = excluded.correlation_key, expires_at = excluded.expires_at`,
    [waits.map((w) => w.runId), waits.map((w) => w.nodeId), waits.map((w) => w.iteration), waits.map((w) => w.eventType), waits.map((w) => w.correlationKey), waits.map((w) => w.expiresAt)],
  );
}

/** Whether any run waits for this event type at all (one probe of run_waits_match, per type per batch). */
export async function anyWaitsFor(db: Queryable, eventType: string): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>('select exists (select 1 from run_waits where event_type = $1) as found', [eventType]);
  return rows[0]!.found;
}

export interface WaitCandidate {
  runId: string;
  nodeId: string;
  iteration: number;
  workflowId: string;
  version: number;
  eventId: string;
}

/** Exported for the test that EXPLAINs it. */
export const WAITS_FOR_SQL = `select w.run_id, w.node_id, w.iteration, r.workflow_id, r.version, r.event_id
   from run_waits w join runs r on r.id = w.run_id
  where w.event_type = $1 and w.correlation_key = $2
  order by w.created_at`;

/** The runs waiting for an event of this type about this key: one lookup on run_waits_match, never a scan. */
export async function waitsFor(db: Queryable, eventType: string, correlationKey: string): Promise<WaitCandidate[]> {
  const { rows } = await db.query(WAITS_FOR_SQL, [eventType, correlationKey]);
  return rows.map((r) => ({ runId: r.run_id, nodeId: r.node_id, iteration: r.iteration, workflowId: r.workflow_id, version: r.version, eventId: r.event_id }));
}

/**
 * Takes a wait: the one statement both of its ends (the event that matched, the timeout)
 * run after locking the run, so exactly one of them gets the row. `expiredOnly`: the
 * timeout's side, which may take it only once it has expired.
 */
export async function takeWait(db: Queryable, key: { runId: string; nodeId: string; iteration: number }, expiredOnly: boolean): Promise<boolean> {
  const { rowCount } = await db.query(
    `delete from run_waits where run_id = $1 and node_id = $2 and iteration = $3 ${expiredOnly ? 'and expires_at <= now()' : ''} returning run_id`,
    [key.runId, key.nodeId, key.iteration],
  );
  return (rowCount ?? 0) > 0;
}

/** A run that stops for good (given up) waits for nothing any more. */
export async function deleteRunWaits(db: Queryable, runId: string): Promise<void> {
  await db.query('delete from run_waits where run_id = $1', [runId]);
}

/** Whether the wait is still there (a timer that fired early leaves the run waiting). */
export async function waitExists(db: Queryable, key: { runId: string; nodeId: string; iteration: number }): Promise<boolean> {
  const { rowCount } = await db.query('select 1 from run_waits where run_id = $1 and node_id = $2 and iteration = $3', [key.runId, key.nodeId, key.iteration]);
  return (rowCount ?? 0) > 0;
}
