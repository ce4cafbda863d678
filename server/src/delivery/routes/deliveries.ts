import { deliveryDetailSchema, deliveryQuerySchema, deliverySummarySchema, pageSchema } from '@tripline/shared';
import { actorFrom } from '../../audit/record.ts';
import type { AppContext } from '../../context.ts';
import { deliveryDetail, listDeliveries, replayDelivery } from '../endpoint-operations.ts';
import { toDeliverySummary } from '../endpoints-store.ts';
import type { DeclareRoute } from './declare.ts';

const tag = 'Endpoints';

/** The delivery log: an endpoint's deliveries, one delivery with its attempts, and replay. */
export function declareDeliveryRoutes(route: DeclareRoute, ctx: AppContext): void {
  route(
    {
      method: 'get',
      path: '/endpoints/:id/deliveries',
      access: 'endpoints:read',
      tag,
      summary: 'Deliveries to this endpoint, newest first (keyset cursor)',
      query: deliveryQuerySchema,
      response: pageSchema(deliverySummarySchema),
    },
    ({ params, query }) => listDeliveries(ctx.pool, params.id!, query),
  );

  route({ method: 'get', path: '/deliveries/:id', access: 'endpoints:read', tag, summary: 'One delivery with its payload and every attempt', response: deliveryDetailSchema }, ({ params }) =>
    deliveryDetail(ctx.pool, params.id!),
  );

  route(
    {
      method: 'post',
      path: '/deliveries/:id/replay',
      access: 'deliveries:replay',
      tag,
      summary: 'Send a delivery again (same webhook-id)',
      response: deliverySummarySchema,
      status: 202,
    },
    async ({ req, params }) => toDeliverySummary(await replayDelivery(ctx, actorFrom(req), params.id!)),
  );
}
