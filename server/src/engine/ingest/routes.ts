import { eventEnvelopeSchema, pageSchema } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { authorize } from '../../auth/middleware.ts';
import { actorLabel } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import { withTransaction } from '../../db/pool.ts';
import { notFound, parseOr422 } from '../../http/errors.ts';
import { describeRoute } from '../../http/openapi.ts';
import { EVENT_COLUMNS, rowToEnvelope } from '../events.ts';
import { explainNoRuns } from '../explain/why-nothing-fired.ts';
import { storeEvents } from '../store-events.ts';
import { parseEventBody } from './validate.ts';

const acceptedSchema = z.object({ id: z.string(), status: z.enum(['accepted', 'duplicate']) });
const eventQuerySchema = z.object({
  type: z.string().max(100).optional(),
  subject: z.string().max(200).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  rootsOnly: z.enum(['true', 'false']).optional(),
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

describeRoute({
  method: 'post',
  path: '/api/v1/events',
  tag: 'Events',
  summary: 'Send one event or a batch of up to 1,000; 202 once durably stored',
  body: z.union([z.object({ type: z.string(), data: z.record(z.string(), z.unknown()) }), z.array(z.unknown())]),
  response: z.object({ accepted: z.number(), duplicates: z.number(), events: z.array(acceptedSchema) }),
  status: 202,
});
describeRoute({ method: 'get', path: '/api/v1/events', tag: 'Events', summary: 'Recent events, newest first (keyset pagination)', response: pageSchema(eventEnvelopeSchema) });
describeRoute({ method: 'get', path: '/api/v1/events/:id', tag: 'Events', summary: 'One event with what it caused: derived events, runs and deliveries' });

export function ingestRouter(app: AppContext): Router {
  const router = Router();

  router.post('/events', authorize('events:ingest'), async (req, res) => {
    const source = req.principal.kind === 'anonymous' ? 'api' : `api:${actorLabel(req.principal)}`;
    const { envelopes, batch } = parseEventBody(req.body, source);
    const inserted = await withTransaction(app.pool, (tx) => storeEvents(tx, app.boss, envelopes));
    const events = envelopes.map((e) => ({ id: e.id, status: inserted.has(e.id) ? ('accepted' as const) : ('duplicate' as const) }));
    const body = { accepted: inserted.size, duplicates: envelopes.length - inserted.size, events };
    res.status(202).json(batch ? body : { ...body, ...events[0] });
  });

  router.get('/events', authorize('events:read'), async (req, res) => {
    const q = parseOr422(eventQuerySchema, req.query, 'query');
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    if (q.type) add('type = ?', q.type);
    if (q.subject) add('subject = ?', q.subject);
    if (q.since) add('received_at >= ?', q.since);
    if (q.cursor) add('seq < ?', Number(q.cursor));
    if (q.rootsOnly === 'true') where.push('caused_by is null');
    values.push(q.limit + 1);
    const { rows } = await app.pool.query(
      `select seq, ${EVENT_COLUMNS}, processed_at from events ${where.length ? `where ${where.join(' and ')}` : ''} order by seq desc limit $${values.length}`,
      values,
    );
    const page = rows.slice(0, q.limit);
    res.json({
      data: page.map((r) => ({ ...rowToEnvelope(r), processedAt: r.processed_at?.toISOString() ?? null })),
      nextCursor: rows.length > q.limit ? String(page.at(-1)!.seq) : null,
    });
  });

  router.get('/events/:id', authorize('events:read'), async (req, res) => {
    const id = String(req.params.id);
    const { rows } = await app.pool.query(`select ${EVENT_COLUMNS}, processed_at from events where id = $1`, [id]);
    if (!rows[0]) throw notFound('event', id);
    const event = rowToEnvelope(rows[0]);
    const [derived, runs, deliveries, ancestors] = await Promise.all([
      app.pool.query(`select ${EVENT_COLUMNS} from events where caused_by = $1 order by seq`, [id]),
      app.pool.query(
        `select r.id, r.workflow_id, w.name as workflow_name, r.status, r.error, r.created_at from runs r join workflows w on w.id = r.workflow_id where r.event_id = $1 order by r.seq`,
        [id],
      ),
      app.pool.query(
        `select d.id, d.endpoint_id, e.url, d.run_id, d.status, d.attempt_count, d.next_attempt_at, d.last_status_code, d.created_at, d.delivered_at
           from deliveries d join endpoints e on e.id = d.endpoint_id where d.event_id = $1 order by d.seq`,
        [id],
      ),
      event.chain.length ? app.pool.query(`select id, type, occurred_at from events where id = any($1)`, [event.chain]) : Promise.resolve({ rows: [] }),
    ]);
    // why nothing fired, for the event page and API callers; only once the engine has processed it
    const explanation =
      runs.rows.length === 0 && rows[0].processed_at ? await explainNoRuns(app.pool, event, derived.rows.map((d: { type: string }) => d.type)) : null;
    res.json({
      ...event,
      processedAt: rows[0].processed_at?.toISOString() ?? null,
      explanation,
      chainEvents: event.chain.map((cid) => {
        const a = ancestors.rows.find((r: { id: string }) => r.id === cid);
        return { id: cid, type: a?.type ?? null, occurredAt: a?.occurred_at?.toISOString() ?? null };
      }),
      derived: derived.rows.map(rowToEnvelope),
      runs: runs.rows.map((r) => ({ id: r.id, workflowId: r.workflow_id, workflowName: r.workflow_name, status: r.status, error: r.error, createdAt: r.created_at.toISOString() })),
      deliveries: deliveries.rows.map((d) => ({
        id: d.id,
        endpointId: d.endpoint_id,
        url: d.url,
        runId: d.run_id,
        status: d.status,
        attemptCount: d.attempt_count,
        nextAttemptAt: d.next_attempt_at?.toISOString() ?? null,
        lastStatusCode: d.last_status_code,
        createdAt: d.created_at.toISOString(),
        deliveredAt: d.delivered_at?.toISOString() ?? null,
      })),
    });
  });
  return router;
}
