import { Router } from 'express';
import { z } from 'zod';
import { authorize } from '../../auth/middleware.ts';
import type { AppContext } from '../../context.ts';
import { describeRoute } from '../../http/openapi.ts';
import { stockView } from './stock.ts';

const skuSchema = z.string().min(1).max(200);
const stockViewSchema = z.object({
  sku: z.string(),
  quantity: z.number().nullable(),
  category: z.string().nullable(),
  lastEventAt: z.string().nullable(),
  thresholds: z.array(z.object({ threshold: z.number(), direction: z.enum(['below', 'above']), armed: z.boolean().nullable(), workflows: z.array(z.string()) })),
});
describeRoute({
  method: 'get',
  path: '/api/v1/stock/:sku',
  tag: 'Events',
  summary: "A SKU's current stock and whether each watched threshold is armed",
  response: stockViewSchema,
});

/** Read-only views of engine state that explain what it does (the trigger inspector's stock panel). */
export function explainRouter(app: AppContext): Router {
  const router = Router();
  router.get('/stock/:sku', authorize('events:read'), async (req, res) => {
    const sku = skuSchema.parse(String(req.params.sku));
    res.json(await stockView(app.pool, sku));
  });
  return router;
}
