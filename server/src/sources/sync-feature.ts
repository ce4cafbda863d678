import { backfillRequestSchema, sourceBackfillSchema, sourceDetailSchema, sourceReconcileSchema, type SourceDetail } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { findConnection, listConnections, runningBackfills, type ConnectionRow } from '../db/source-sync.ts';
import { findSource, listSources } from '../db/sources.ts';
import type { Feature } from '../feature.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';
import { sendJob } from '../queue/boss.ts';
import { queues } from '../queue/queues.ts';
import { toSource } from './source-view.ts';
import { requestBackfill, runBackfill } from './woocommerce/backfill.ts';
import { runReconcile } from './woocommerce/reconcile.ts';

/**
 * The connected mode of sources: a source's link with its store (GET /sources/:id), the
 * history import (a durable job, resumed at start-up) and the reconcile pass (every
 * TRIPLINE_RECONCILE_INTERVAL and at start-up, or on demand).
 */

const tag = 'Sources';
const access = 'sources:manage';

export function sourceSyncFeature(ctx: AppContext): Feature {
  let stopping = false;
  const running = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;

  const track = (p: Promise<void>) => {
    running.add(p);
    void p.finally(() => running.delete(p));
    return p;
  };

  const reconcileAll = async () => {
    for (const row of await listConnections(ctx.pool)) {
      if (stopping) return;
      try {
        await runReconcile(ctx, row.source_id);
      } catch (error) {
        ctx.log.warn({ err: error, sourceId: row.source_id }, 'reconcile pass failed');
      }
    }
  };
  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      pass = reconcileAll()
        .catch((error: unknown) => ctx.log.warn({ err: error }, 'reconcile failed'))
        .finally(() => {
          pass = undefined;
          if (!stopping) schedule(ctx.config.reconcileIntervalMs);
        });
    }, delayMs);
    timer.unref();
  };

  return {
    name: 'source-sync',
    apiRouters: [sourceSyncRouter(ctx)],
    startWorkers: async () => {
      await ctx.boss.work(queues.sourceBackfill.name, { batchSize: 1, localConcurrency: 2, pollingIntervalSeconds: 1 }, async (jobs) => {
        for (const job of jobs) {
          const { sourceId } = queues.sourceBackfill.payload.parse(job.data);
          await track(runBackfill(ctx, sourceId, { stopping: () => stopping }));
        }
      });
      // An import that was running when the process stopped carries on from its cursor.
      for (const sourceId of await runningBackfills(ctx.pool)) await sendJob(ctx.boss, 'sourceBackfill', { sourceId });
      // At start-up (what changed while Tripline was down), then every interval.
      schedule(0);
    },
    stopWorkers: async () => {
      stopping = true;
      if (timer) clearTimeout(timer);
      await ctx.boss.offWork(queues.sourceBackfill.name).catch(() => undefined);
      await Promise.allSettled([...running, ...(pass ? [pass] : [])]);
    },
  };
}

export async function sourceDetail(ctx: AppContext, id: string): Promise<SourceDetail> {
  const source = (await listSources(ctx.pool)).find((s) => s.id === id) ?? (await findSource(ctx.pool, id));
  if (!source) throw notFound('source', id);
  const row = await findConnection(ctx.pool, id);
  return { ...toSource(source), ...connectionView(ctx, row) };
}

function connectionView(ctx: AppContext, row: ConnectionRow | undefined) {
  if (!row) return { storeUrl: null, connected: false, connection: null, webhooks: [], backfill: null, reconcile: null };
  return {
    storeUrl: row.store_url,
    connected: true,
    connection: row.connection,
    webhooks: row.webhooks.map((w) => ({ topic: w.topic, status: w.status, id: w.id })),
    backfill: {
      status: row.backfill.status,
      phase: row.backfill.phase,
      done: row.backfill.done,
      total: Math.max(row.backfill.total, row.backfill.done),
      startedAt: row.backfill.startedAt,
      finishedAt: row.backfill.finishedAt,
      error: row.backfill.error,
      runWorkflows: row.backfill.runWorkflows ?? false,
    },
    reconcile: { ...row.reconcile, intervalMinutes: ctx.config.reconcileIntervalMs / 6e4 },
  };
}

function sourceSyncRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route(
    {
      method: 'get',
      path: '/sources/:id',
      access,
      tag,
      summary: "A source and, when connected, its link with the store: connection, webhooks (as the store reports them), backfill progress, reconcile",
      response: sourceDetailSchema,
    },
    async ({ params }) => sourceDetail(ctx, params.id!),
  );

  route(
    {
      method: 'post',
      path: '/sources/:id/backfill',
      access,
      tag,
      summary: 'Import the store history again, or resume a stopped import from where it stopped; `runWorkflows: true` replays it through workflows',
      body: backfillRequestSchema.optional(),
      response: z.object({ backfill: sourceBackfillSchema }),
      status: 202,
    },
    async ({ req, params, body }) => {
      const id = params.id!;
      if (!(await findSource(ctx.pool, id))) throw notFound('source', id);
      const backfill = await requestBackfill(ctx, id, body?.runWorkflows ?? false);
      if (!backfill) throw new HttpError(409, 'not_connected', 'This source has no store keys (manual webhooks): connect it with storeUrl, consumerKey and consumerSecret to import history');
      await recordAudit(ctx.pool, actorFrom(req), { action: 'source.backfill', targetType: 'source', targetId: id, after: { runWorkflows: body?.runWorkflows ?? false } });
      await sendJob(ctx.boss, 'sourceBackfill', { sourceId: id });
      return { backfill: (await sourceDetail(ctx, id)).backfill! };
    },
  );

  route(
    {
      method: 'post',
      path: '/sources/:id/reconcile',
      access,
      tag,
      summary: 'Run the reconcile pass now: changes no webhook delivered become events, disabled or deleted webhooks are repaired',
      response: z.object({ recovered: z.number().int(), repaired: z.array(z.object({ topic: z.string(), action: z.string() })), reconcile: sourceReconcileSchema }),
    },
    async ({ params }) => {
      const id = params.id!;
      if (!(await findSource(ctx.pool, id))) throw notFound('source', id);
      if (!(await findConnection(ctx.pool, id))) throw new HttpError(409, 'not_connected', 'This source has no store keys (manual webhooks): there is nothing to poll');
      // A pass already under way (the timer's) is waited for by polling its lock: run ours after it.
      let result = await runReconcile(ctx, id);
      for (let i = 0; !result.ran && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 100));
        result = await runReconcile(ctx, id);
      }
      return { recovered: result.recovered, repaired: result.repaired, reconcile: (await sourceDetail(ctx, id)).reconcile! };
    },
  );
  return router;
}
