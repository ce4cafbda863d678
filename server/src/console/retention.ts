import { retentionSchema, type Retention } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { PgBoss } from 'pg-boss';
import { actorFrom, recordAudit } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { declareRoutes } from '../http/route.ts';
import { deleteOldNotifications } from '../db/notifications.ts';
import { deleteOldAuditEntries, deleteOldEvents, deleteOldInboxMessages, deleteOldRuns, insertPruneLog, lastPrune, type PruneCounts } from '../db/retention.ts';
import { purged } from '../delivery/state-machine.ts';
import { queues } from '../queue/queues.ts';
import { getSetting } from '../settings.ts';
import { pruneSourceDeliveries } from '../db/sources.ts';
import { pruneRollups } from '../db/rollups.ts';

/** Rows deleted per statement: short transactions, no long locks on hot tables. */
export const PRUNE_BATCH = 2000;
/** Every hour at minute 17: off the top of the hour when other schedules fire. */
export const PRUNE_CRON = '17 * * * *';

export type PruneResult = PruneCounts;


/**
 * Deletes runs, events, deliveries, attempts and inbox messages older than the
 * `retentionDays` setting, in batches. Work still in progress is kept whatever its age:
 * running or waiting runs, pending or sending deliveries, events not processed yet and the
 * events those runs need. Each table is read through an index on its time column, so a
 * prune with nothing to delete is a handful of index probes. Rollup minutes older than the
 * cutoff go too.
 * (Prometheus counters are kept in each process since issue #12, not counted from these
 * tables, so nothing has to be remembered of what is deleted.)
 */
export async function pruneOnce(pool: Pool, now = new Date()): Promise<PruneResult> {
  const retentionDays = await getSetting(pool, 'retentionDays');
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  const result: PruneResult = { retentionDays, runs: 0, events: 0, deliveries: 0, attempts: 0 };

  const loop = async (fn: () => Promise<number>) => {
    let total = 0;
    for (;;) {
      const n = await fn();
      total += n;
      if (n < PRUNE_BATCH) return total;
    }
  };

  // Old finished deliveries with their attempts: an attempt stays as long as its delivery,
  // so a delivery still in flight keeps its whole story.
  result.deliveries = await loop(async () => {
    const n = await purged(pool, cutoff, PRUNE_BATCH);
    result.attempts += n.attempts;
    return n.deliveries;
  });
  result.runs = await loop(() => deleteOldRuns(pool, cutoff, PRUNE_BATCH));
  result.events = await loop(() => deleteOldEvents(pool, cutoff, PRUNE_BATCH));
  await loop(() => deleteOldInboxMessages(pool, cutoff, PRUNE_BATCH));
  await loop(() => deleteOldNotifications(pool, cutoff, PRUNE_BATCH));
  await pruneAudit(pool, now, retentionDays);
  await pruneSourceDeliveries(pool, cutoff);
  await pruneRollups(pool, cutoff);
  await insertPruneLog(pool, result);
  return result;
}

/**
 * Audit entries older than the audit log's own retention (auditRetentionDays, at least
 * retentionDays), in batches; what went is recorded as one more entry, so the log says it was
 * pruned and up to when. Export first with GET /api/v1/audit.csv?until=<cutoff>.
 */
export async function pruneAudit(pool: Pool, now: Date, retentionDays: number): Promise<number> {
  const days = Math.max(await getSetting(pool, 'auditRetentionDays'), retentionDays);
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  let total = 0;
  for (;;) {
    const n = await withTransaction(pool, (tx) => deleteOldAuditEntries(tx, cutoff, PRUNE_BATCH));
    total += n;
    if (n < PRUNE_BATCH) break;
  }
  if (total > 0) {
    await withTransaction(pool, (tx) =>
      recordAudit(tx, { label: 'tripline retention' }, { action: 'audit.pruned', targetType: 'setting', targetId: 'auditRetentionDays', after: { before: cutoff, entries: total, days } }),
    );
  }
  return total;
}

export async function startRetention(ctx: AppContext): Promise<void> {
  const name = queues.prune.name;
  await ctx.boss.schedule(name, PRUNE_CRON, {});
  await ctx.boss.work(name, { batchSize: 1 }, async () => {
    const result = await pruneOnce(ctx.pool);
    ctx.log.info(result, 'retention: pruned old runs, events and deliveries');
  });
}

export async function readRetention(pool: Pool): Promise<Retention> {
  const retentionDays = await getSetting(pool, 'retentionDays');
  const auditRetentionDays = Math.max(await getSetting(pool, 'auditRetentionDays'), retentionDays);
  const last = await lastPrune(pool);
  return { retentionDays, auditRetentionDays, lastPrune: last ? { at: last.at.toISOString(), runs: last.runs, events: last.events, deliveries: last.deliveries, attempts: last.attempts } : null };
}

export function retentionRouter(ctx: AppContext, boss: PgBoss): Router {
  const router = Router();
  const route = declareRoutes(router);
  const tag = 'Console';
  route({ method: 'get', path: '/retention', access: 'settings:read', tag, summary: 'How long history is kept, and the last prune', response: retentionSchema }, () =>
    readRetention(ctx.pool),
  );
  route(
    { method: 'post', path: '/retention/prune', access: 'settings:write', tag, summary: 'Prune now instead of waiting for the hourly job', status: 202, response: z.object({ jobId: z.string().nullable() }) },
    async ({ req }) => {
      await withTransaction(ctx.pool, async (tx) => {
        await recordAudit(tx, actorFrom(req), { action: 'retention.prune', targetType: 'setting', targetId: 'retentionDays' });
      });
      return { jobId: await boss.send(queues.prune.name, {}, { singletonKey: 'manual-prune' }) };
    },
  );
  return router;
}
