import { deliveryListItemSchema, deliveryListQuerySchema, pageSchema, type DeliveryListItem } from '@tripline/shared';
import { Router } from 'express';
import type { AppContext } from '../context.ts';
import { listAllDeliveries, type DeliveryListRow } from '../db/delivery-reads.ts';
import { declareRoutes } from '../http/route.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

function toItem(r: DeliveryListRow): DeliveryListItem {
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    endpointName: r.endpoint_description ?? r.endpoint_url,
    eventId: r.event_id,
    eventType: r.event_type,
    runId: r.run_id,
    nodeId: r.node_id,
    status: r.status as DeliveryListItem['status'],
    attemptCount: r.attempt_count,
    nextAttemptAt: iso(r.next_attempt_at),
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    deliveredAt: iso(r.delivered_at),
  };
}

/** The Deliveries page's list: across endpoints, filtered by status, endpoint and event type. */
export function deliveriesListRouter(ctx: Pick<AppContext, 'pool'>): Router {
  const router = Router();
  const route = declareRoutes(router);
  route(
    {
      method: 'get',
      path: '/deliveries',
      access: 'endpoints:read',
      tag: 'Endpoints',
      summary: 'Deliveries to every endpoint, newest first; filter by status (or "failing": failed or retrying), endpoint, event type',
      query: deliveryListQuerySchema,
      response: pageSchema(deliveryListItemSchema),
    },
    async ({ query: q }) => {
      const rows = await listAllDeliveries(ctx.pool, q);
      const page = rows.slice(0, q.limit);
      return { data: page.map(toItem), nextCursor: rows.length > q.limit ? String(page.at(-1)!.seq) : null };
    },
  );
  return router;
}
