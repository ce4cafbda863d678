import { Router } from 'express';
import type { AppContext } from '../../context.ts';
import { declareRoutes } from '../../http/route.ts';
import { declareDeliveryRoutes } from './deliveries.ts';
import { declareEndpointActionRoutes } from './endpoint-actions.ts';
import { declareEndpointRoutes } from './endpoints.ts';

/** The admin API of webhook endpoints and their deliveries, one file per resource. */
export function endpointsRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);
  declareEndpointRoutes(route, ctx);
  declareEndpointActionRoutes(route, ctx);
  declareDeliveryRoutes(route, ctx);
  return router;
}
