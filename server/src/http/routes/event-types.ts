import { describeCatalog, eventCatalog, isEventType } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { notFound } from '../errors.ts';
import { declareRoutes } from '../route.ts';

const eventTypeDoc = z.object({
  type: z.string(),
  origin: z.enum(['raw', 'derived', 'system']),
  description: z.string(),
  schema: z.record(z.string(), z.unknown()),
  example: z.record(z.string(), z.unknown()),
});

export function eventTypesRouter(): Router {
  const router = Router();
  const catalog = describeCatalog();
  const route = declareRoutes(router);
  route(
    { method: 'get', path: '/event-types', access: 'events:read', tag: 'Events', summary: 'The event catalog: every type with JSON Schema and example', response: z.object({ data: z.array(eventTypeDoc) }) },
    () => ({ data: catalog }),
  );
  route({ method: 'get', path: '/event-types/:type', access: 'events:read', tag: 'Events', summary: 'One event type', response: eventTypeDoc }, ({ params }) => {
    const type = params.type!;
    if (!isEventType(type)) throw notFound('event type', type);
    return catalog.find((c) => c.type === eventCatalog[type].type);
  });
  return router;
}
