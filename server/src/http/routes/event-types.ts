import { describeCatalog, eventCatalog, isEventType } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { authorize } from '../../auth/middleware.ts';
import { notFound } from '../errors.ts';
import { describeRoute } from '../openapi.ts';

const eventTypeDoc = z.object({
  type: z.string(),
  origin: z.enum(['raw', 'derived', 'system']),
  description: z.string(),
  schema: z.record(z.string(), z.unknown()),
  example: z.record(z.string(), z.unknown()),
});

describeRoute({ method: 'get', path: '/api/v1/event-types', tag: 'Events', summary: 'The event catalog: every type with JSON Schema and example', response: z.object({ data: z.array(eventTypeDoc) }) });
describeRoute({ method: 'get', path: '/api/v1/event-types/:type', tag: 'Events', summary: 'One event type', response: eventTypeDoc });

export function eventTypesRouter(): Router {
  const router = Router();
  const catalog = describeCatalog();
  router.get('/event-types', authorize('events:read'), (_req, res) => {
    res.json({ data: catalog });
  });
  router.get('/event-types/:type', authorize('events:read'), (req, res) => {
    const type = String(req.params.type);
    if (!isEventType(type)) throw notFound('event type', type);
    res.json(catalog.find((c) => c.type === eventCatalog[type].type));
  });
  return router;
}
