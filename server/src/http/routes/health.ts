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
      res.status(503).json({ status: 'unavailable', reason: `database: ${(error as Error).message}` });
    }
  });
  return router;
}
