import { pageSchema, runDetailSchema, runQuerySchema, runSummarySchema } from '@tripline/shared';
import { Router } from 'express';
import { actorFrom, recordAudit } from '../../audit/record.ts';
import { authorize } from '../../auth/middleware.ts';
import type { AppContext } from '../../context.ts';
import { withTransaction, type Pool } from '../../db/pool.ts';
import { conflict, notFound, parseOr422 } from '../../http/errors.ts';
import { describeRoute } from '../../http/openapi.ts';
import { loadEvent } from '../events.ts';
import { retryStepDelivery } from './retry.ts';
import { cancelRun, retryRun } from './state-machine.ts';

const tag = 'Runs';
describeRoute({ method: 'get', path: '/api/v1/runs', tag, summary: 'Runs, newest first; filter by workflow, status, event type, subject, time', response: pageSchema(runSummarySchema) });
describeRoute({ method: 'get', path: '/api/v1/runs/:id', tag, summary: 'One run with every step: input, output, timing, error', response: runDetailSchema });
describeRoute({ method: 'post', path: '/api/v1/runs/:id/retry', tag, summary: 'Retry a failed run from the step that failed', response: runSummarySchema });
describeRoute({ method: 'post', path: '/api/v1/runs/:id/cancel', tag, summary: 'Cancel a waiting or running run', response: runSummarySchema });

interface RunRow {
  seq: number;
  id: string;
  workflow_id: string;
  workflow_name: string;
  version: number;
  event_id: string;
  event_type: string;
  subject: string | null;
  status: string;
  current_node: string | null;
  error: string | null;
  depth: number;
  created_at: Date;
  finished_at: Date | null;
}

const SELECT = `select r.seq, r.id, r.workflow_id, w.name as workflow_name, r.version, r.event_id, r.event_type, r.subject, r.status,
  r.current_node, r.error, r.depth, r.created_at, r.finished_at from runs r join workflows w on w.id = r.workflow_id`;

function toSummary(r: RunRow) {
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
  };
}

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
async function seqBoundsOfTimeRange(pool: Pool, since?: string, until?: string): Promise<{ above: number | null; below: number | null }> {
  const { rows } = await pool.query<{ above: number | null; below: number | null }>(
    `select (select seq from runs where created_at < $1::timestamptz - $3::interval order by created_at desc limit 1) as above,
            (select seq from runs where created_at >= $2::timestamptz + $3::interval order by created_at limit 1) as below`,
    [since ?? '-infinity', until ?? 'infinity', RUN_INSERT_SLACK],
  );
  return rows[0]!;
}

export function runsRouter(app: AppContext): Router {
  const router = Router();

  // Keyset pagination on seq: each page is an index range scan, as fast at run 100,000 as at run 1.
  router.get('/runs', authorize('runs:read'), async (req, res) => {
    const q = parseOr422(runQuerySchema, req.query, 'query');
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
      const bounds = await seqBoundsOfTimeRange(app.pool, q.since, q.until);
      if (bounds.above !== null) add('r.seq > ?', bounds.above);
      if (bounds.below !== null) add('r.seq < ?', bounds.below);
    }
    if (q.cursor) add('r.seq < ?', Number(q.cursor));
    values.push(q.limit + 1);
    const { rows } = await app.pool.query<RunRow>(
      `${SELECT} ${where.length ? `where ${where.join(' and ')}` : ''} order by r.seq desc limit $${values.length}`,
      values,
    );
    const page = rows.slice(0, q.limit);
    res.json({ data: page.map(toSummary), nextCursor: rows.length > q.limit ? String(page.at(-1)!.seq) : null });
  });

  router.get('/runs/:id', authorize('runs:read'), async (req, res) => {
    const id = String(req.params.id);
    const { rows } = await app.pool.query<RunRow>(`${SELECT} where r.id = $1`, [id]);
    const run = rows[0];
    if (!run) throw notFound('run', id);
    const [steps, graph, event, deliveries] = await Promise.all([
      app.pool.query('select * from run_steps where run_id = $1 order by seq, started_at', [id]),
      app.pool.query('select graph from workflow_versions where workflow_id = $1 and version = $2', [run.workflow_id, run.version]),
      loadEvent(app.pool, run.event_id),
      app.pool.query('select id, endpoint_id, node_id, iteration, status, attempt_count from deliveries where run_id = $1 order by seq', [id]),
    ]);
    res.json({
      ...toSummary(run),
      graph: graph.rows[0]?.graph ?? { nodes: [], edges: [] },
      event: event ?? null,
      steps: steps.rows.map((s) => ({
        nodeId: s.node_id,
        nodeType: s.node_type,
        ...(s.iteration >= 0 ? { iteration: s.iteration } : {}),
        status: s.status,
        input: s.input,
        output: s.output,
        error: s.error,
        attempts: s.attempts,
        startedAt: s.started_at.toISOString(),
        finishedAt: s.finished_at?.toISOString() ?? null,
      })),
      deliveries: deliveries.rows.map((d) => ({ id: d.id, endpointId: d.endpoint_id, nodeId: d.node_id, ...(d.iteration >= 0 ? { iteration: d.iteration } : {}), status: d.status, attemptCount: d.attempt_count })),
    });
  });

  router.post('/runs/:id/retry', authorize('runs:write'), async (req, res) => {
    const id = String(req.params.id);
    const summary = await withTransaction(app.pool, async (tx) => {
      const { rows } = await tx.query<RunRow>(`${SELECT} where r.id = $1 for update of r`, [id]);
      const run = rows[0];
      if (!run) throw notFound('run', id);
      if (run.status !== 'failed') throw conflict(`only a failed run can be retried; this one is ${run.status}`);
      if (!run.current_node) throw conflict('this run has no step to retry from');
      const current = run.current_node;
      const status = await retryRun(app, tx, { id: run.id, current_node: current }, () => retryStepDelivery(tx, app, run.id, current));
      await recordAudit(tx, actorFrom(req), { action: 'run.retried', targetType: 'run', targetId: id, before: { status: run.status, error: run.error }, after: { status: 'running', from: run.current_node } });
      return toSummary({ ...run, status, error: null, finished_at: null });
    });
    res.json(summary);
  });

  router.post('/runs/:id/cancel', authorize('runs:write'), async (req, res) => {
    const id = String(req.params.id);
    const summary = await withTransaction(app.pool, async (tx) => {
      const { rows } = await tx.query<RunRow>(`${SELECT} where r.id = $1 for update of r`, [id]);
      const run = rows[0];
      if (!run) throw notFound('run', id);
      if (!['waiting', 'running'].includes(run.status)) throw conflict(`only a waiting or running run can be cancelled; this one is ${run.status}`);
      await cancelRun(tx, id);
      await recordAudit(tx, actorFrom(req), { action: 'run.cancelled', targetType: 'run', targetId: id, before: { status: run.status }, after: { status: 'cancelled' } });
      return toSummary({ ...run, status: 'cancelled', finished_at: new Date() });
    });
    res.json(summary);
  });

  return router;
}
