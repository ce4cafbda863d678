import { eventEnvelopeSchema, pageSchema } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorLabel } from '../../auth/principal.ts';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../http/errors.ts';
import { answerJson, declareRoutes } from '../../http/route.ts';
import { eventWithEffects, listEvents } from '../../db/events.ts';
import { rowToEnvelope } from '../events.ts';
import { IngestBatcher } from './group-commit.ts';
import { explainNoRuns } from '../explain/why-nothing-fired.ts';
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

/**
 * POST /events alone, so the app can mount it on its hot path (AppParts.hotRouters): ahead
 * of the routers every other API request walks, with the same entry middlewares.
 */
export function ingestRouter(app: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);
  // One per process: concurrent requests share a transaction (group commit).
  // The claim worker is wired after the routers are built (and not at all in an API-only process).
  const batcher = new IngestBatcher(app.pool, () => app.bus.get('eventsStored')?.(), () => app.bus.get('eventsBornLeased'));

  route(
    {
      method: 'post',
      path: '/events',
      access: 'events:ingest',
      tag: 'Events',
      summary: 'Send one event or a batch of up to 1,000; 202 once durably stored',
      bodyDoc: z.union([z.object({ type: z.string(), data: z.record(z.string(), z.unknown()) }), z.array(z.unknown())]),
      response: z.object({ accepted: z.number(), duplicates: z.number(), events: z.array(acceptedSchema) }),
      status: 202,
    },
    async ({ req, res }) => {
      const source = req.principal.kind === 'anonymous' ? 'api' : `api:${actorLabel(req.principal)}`;
      const { envelopes, batch } = parseEventBody(req.body, source);
      const inserted = await batcher.store(envelopes);
      const events = envelopes.map((e) => ({ id: e.id, status: inserted.has(e.id) ? ('accepted' as const) : ('duplicate' as const) }));
      const body = { accepted: inserted.size, duplicates: envelopes.length - inserted.size, events };
      answerJson(res, 202, batch ? body : { ...body, ...events[0] });
    },
  );
  return router;
}

/** Reading events back: the list and one event with what it caused. */
export function eventsRouter(app: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route(
    { method: 'get', path: '/events', access: 'events:read', tag: 'Events', summary: 'Recent events, newest first (keyset pagination)', query: eventQuerySchema, response: pageSchema(eventEnvelopeSchema) },
    async ({ query: q }) => {
      const rows = await listEvents(app.pool, { ...q, rootsOnly: q.rootsOnly === 'true' });
      const page = rows.slice(0, q.limit);
      return {
        data: page.map((r) => ({ ...rowToEnvelope(r), processedAt: r.processed_at?.toISOString() ?? null })),
        nextCursor: rows.length > q.limit ? String(page.at(-1)!.seq) : null,
      };
    },
  );

  route({ method: 'get', path: '/events/:id', access: 'events:read', tag: 'Events', summary: 'One event with what it caused: derived events, runs and deliveries' }, async ({ params }) => {
    const id = params.id!;
    const found = await eventWithEffects(app.pool, id);
    if (!found) throw notFound('event', id);
    const { row, derived, runs, deliveries, ancestors } = found;
    const event = rowToEnvelope(row);
    // Why nothing fired, for the event page and API callers; only once the engine has processed it.
    const explanation = runs.length === 0 && row.processed_at ? await explainNoRuns(app.pool, event, derived.map((d) => d.type)) : null;
    return {
      ...event,
      processedAt: row.processed_at?.toISOString() ?? null,
      explanation,
      chainEvents: event.chain.map((cid) => {
        const a = ancestors.find((r: { id: string }) => r.id === cid);
        return { id: cid, type: a?.type ?? null, occurredAt: a?.occurred_at?.toISOString() ?? null };
      }),
      derived: derived.map(rowToEnvelope),
      runs: runs.map((r) => ({ id: r.id, workflowId: r.workflow_id, workflowName: r.workflow_name, status: r.status, error: r.error, createdAt: r.created_at.toISOString() })),
      deliveries: deliveries.map((d) => ({
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
    };
  });
  return router;
}
