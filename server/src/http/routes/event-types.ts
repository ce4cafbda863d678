import { describeCatalog, eventCatalog, isEventType, portalEventTypeSchema } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { notFound } from '../errors.ts';
import { declareRoutes } from '../route.ts';

/** One catalog entry as `describeCatalog` makes it: the portal's entry without its `subscribed` mark. */
const eventTypeDoc = portalEventTypeSchema.omit({ subscribed: true });

export function eventTypesRouter(): Router {
  const router = Router();
  const route = declareRoutes(router);
  const catalog = describeCatalog();
  const tag = 'Events';
  route(
    { method: 'get', path: '/event-types', access: 'events:read', tag, summary: 'The event catalog: every type with JSON Schema and example', response: z.object({ data: z.array(eventTypeDoc) }) },
    () => ({ data: catalog }),
  );
  route({ method: 'get', path: '/event-types/:type', access: 'events:read', tag, summary: 'One event type', response: eventTypeDoc }, ({ params }) => {
    const type = params.type!;
    if (!isEventType(type)) throw notFound('event type', type);
    return catalog.find((c) => c.type === eventCatalog[type].type);
  });
  return router;
}
