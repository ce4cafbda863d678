import { Router } from 'express';
import type { AppContext } from '../../context.ts';

/** 200 once the database answers and the queue is started; 503 with the reason otherwise. */
export function healthRouter(ctx: AppContext, isReady: () => boolean): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    if (!isReady()) return void res.status(503).json({ status: 'starting' });
    try {
      await ctx.pool.query({ text: 'select 1', query_timeout: 2000 } as never);
      res.json({ status: 'ok' });
    } catch (error) {
      // The driver's message names the database host and port: useful to the operator (in
      // the log), not to whoever probes the URL (anonymous, by design, for load balancers).
      ctx.log.warn({ err: error }, 'health check: the database does not answer');
      res.status(503).json({ status: 'unavailable', reason: 'database unavailable' });
    }
  });
  return router;
}
