import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { pingDatabase } from '../../db/pool.ts';
import { declareRoutes } from '../route.ts';

const healthSchema = z.object({ status: z.enum(['ok', 'starting', 'unavailable']), reason: z.string().optional() });

/** 200 once the database answers and the queue is started; 503 with the reason otherwise. */
export function healthRouter(ctx: AppContext, isReady: () => boolean): Router {
  const router = Router();
  const route = declareRoutes(router, '');
  route(
    {
      method: 'get',
      path: '/healthz',
      access: { public: 'load balancers probe it without credentials' },
      tag: 'Health',
      summary: '200 {"status":"ok"} once the database and the queue are ready; 503 with the reason otherwise',
      response: healthSchema,
    },
    async ({ res }) => {
      if (!isReady()) return void res.status(503).json({ status: 'starting' });
      try {
        await pingDatabase(ctx.pool, 2000);
        return { status: 'ok' };
      } catch (error) {
        // The driver's message names the database host and port: useful to the operator (in
        // the log), not to whoever probes the URL (anonymous, by design, for load balancers).
        ctx.log.warn({ err: error }, 'health check: the database does not answer');
        return void res.status(503).json({ status: 'unavailable', reason: 'database unavailable' });
      }
    },
  );
  return router;
}
