import type { RunStatus } from '@tripline/shared';
import type { Queryable } from './queryable.ts';
import type { RunRow } from './runs.ts';

/**
 * Reads of runs for the API and the console (lists, one run with its steps). The engine's
 * own reads and writes of runs are in runs.ts; these never run on the hot path.
 */

/** A run as lists show it: the engine's row plus the workflow's name and where it came from. */
export interface RunSummaryRow extends Omit<RunRow, 'vars' | 'status' | 'error'> {
  seq: number;
  workflow_name: string;
  event_type: string;
  subject: string | null;
  status: RunStatus;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
  /** The version the run started on, when a retry moved it to the live one; else null. */
  first_version: number | null;
}

export interface RunStepRow {
  node_id: string;
  node_type: string;
  /** -1 outside a for_each. */
  iteration: number;
  status: 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  input: unknown;
  output: unknown;
  error: string | null;
  attempts: number;
  started_at: Date;
  finished_at: Date | null;
  /** The branch that ran it, after a fork; null before. */
  branch: string | null;
}

export interface RunDeliveryRow {
  id: string;
  endpoint_id: string;
  node_id: string | null;
  /** -1 outside a for_each. */
  iteration: number;
  status: string;
  attempt_count: number;
}

export interface RunFilter {
  workflowId?: string;
  status?: string;
  eventType?: string;
  subject?: string;
  since?: string;
  until?: string;
  /** The last seq seen: the page starts below it. */
  cursor?: string;
  limit: number;
}

const SELECT = `select r.seq, r.id, r.workflow_id, w.name as workflow_name, r.version, r.event_id, r.event_type, r.subject, r.status,
  r.current_node, r.error, r.depth, r.created_at, r.finished_at, r.first_version from runs r join workflows w on w.id = r.workflow_id`;

/**
 * How long a transaction may take between reading now() (created_at) and taking its seq
 * (the insert): runs are inserted in short transactions, far below this.
 */
export const RUN_INSERT_SLACK = '1 minute';

/**
 * Seq bounds that hold every run created in [since, until), from two probes of
 * runs_created_at. created_at and seq rise together except within RUN_INSERT_SLACK of each
 * other, so a run created before `since - slack` has a smaller seq than any run in the
 * range, and one created at `until + slack` or later a larger one.
 */
async function seqBoundsOfTimeRange(db: Queryable, since?: string, until?: string): Promise<{ above: number | null; below: number | null }> {
  const { rows } = await db.query<{ above: number | null; below: number | null }>(
    `select (select seq from runs where created_at < $1::timestamptz - $3::interval order by created_at desc limit 1) as above,
            (select seq from runs where created_at >= $2::timestamptz + $3::interval order by created_at limit 1) as below`,
    [since ?? '-infinity', until ?? 'infinity', RUN_INSERT_SLACK],
  );
  return rows[0]!;
}

/**
 * One page of runs, newest first, and one more row when there is a next page. Keyset
 * pagination on seq: each page is an index range scan, as fast at run 100,000 as at run 1.
 */
export async function listRunSummaries(db: Queryable, q: RunFilter): Promise<RunSummaryRow[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (q.workflowId) add('r.workflow_id = ?', q.workflowId);
  if (q.status) add('r.status = ?', q.status);
  if (q.eventType) add('r.event_type = ?', q.eventType);
  if (q.subject) add('r.subject = ?', q.subject);
  if (q.since) add('r.created_at >= ?', q.since);
  if (q.until) add('r.created_at < ?', q.until);
  // A time range becomes a seq range too, so the walk down seq starts and stops at its ends.
  if (q.since || q.until) {
    const bounds = await seqBoundsOfTimeRange(db, q.since, q.until);
    if (bounds.above !== null) add('r.seq > ?', bounds.above);
    if (bounds.below !== null) add('r.seq < ?', bounds.below);
  }
  if (q.cursor) add('r.seq < ?', Number(q.cursor));
  values.push(q.limit + 1);
  const { rows } = await db.query<RunSummaryRow>(`${SELECT} ${where.length ? `where ${where.join(' and ')}` : ''} order by r.seq desc limit $${values.length}`, values);
  return rows;
}

/** One run; `lock` takes its row lock for a change of state (retry, cancel). */
export async function findRunSummary(db: Queryable, id: string, lock = false): Promise<RunSummaryRow | undefined> {
  const { rows } = await db.query<RunSummaryRow>(`${SELECT} where r.id = $1${lock ? ' for update of r' : ''}`, [id]);
  return rows[0];
}

export async function stepsOfRun(db: Queryable, runId: string): Promise<RunStepRow[]> {
  const { rows } = await db.query<RunStepRow>('select * from run_steps where run_id = $1 order by seq, started_at', [runId]);
  return rows;
}

/** A forked run's branches as stored (engine/runs/branches.ts parses them); null for a run that never forked. */
export async function branchesOfRun(db: Queryable, runId: string): Promise<unknown> {
  const { rows } = await db.query<{ branches: unknown }>('select branches from runs where id = $1', [runId]);
  return rows[0]?.branches ?? null;
}

export async function deliveriesOfRun(db: Queryable, runId: string): Promise<RunDeliveryRow[]> {
  const { rows } = await db.query<RunDeliveryRow>('select id, endpoint_id, node_id, iteration, status, attempt_count from deliveries where run_id = $1 order by seq', [runId]);
  return rows;
}
