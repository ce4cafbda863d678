import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { declareRoutes } from '../../http/route.ts';
import { stockView } from './stock.ts';

const skuSchema = z.string().min(1).max(200);
const stockViewSchema = z.object({
  sku: z.string(),
  quantity: z.number().nullable(),
  category: z.string().nullable(),
  lastEventAt: z.string().nullable(),
  thresholds: z.array(z.object({ threshold: z.number(), direction: z.enum(['below', 'above']), armed: z.boolean().nullable(), workflows: z.array(z.string()) })),
});
/** Read-only views of engine state that explain what it does (the trigger inspector's stock panel). */
export function explainRouter(app: AppContext): Router {
  const router = Router();
  declareRoutes(router)(
    {
      method: 'get',
      path: '/stock/:sku',
      access: 'events:read',
      tag: 'Events',
      summary: "A SKU's current stock and whether each watched threshold is armed",
      response: stockViewSchema,
    },
    ({ params }) => stockView(app.pool, skuSchema.parse(params.sku)),
  );
  return router;
}
