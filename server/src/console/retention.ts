import { retentionSchema, type Retention } from '@tripline/shared';
import { Router } from 'express';
import type { PgBoss } from 'pg-boss';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { authorize } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { describeRoute } from '../http/openapi.ts';
import { queues } from '../queue/queues.ts';
import { getSetting } from '../settings.ts';
import { pruneSourceDeliveries } from '../sources/routes.ts';
import { pruneRollups } from './rollups.ts';

/** Rows deleted per statement: short transactions, no long locks on hot tables. */
export const PRUNE_BATCH = 2000;
/** Every hour at minute 17: off the top of the hour when other schedules fire. */
export const PRUNE_CRON = '17 * * * *';

export interface PruneResult {
  retentionDays: number;
  runs: number;
  events: number;
  deliveries: number;
  attempts: number;
}


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

  const deleteAttempts = (where: string, params: unknown[]) =>
    loop(async () => {
      const { rowCount } = await pool.query(`delete from delivery_attempts where id in (select id from delivery_attempts where ${where} limit ${PRUNE_BATCH})`, params);
      return rowCount ?? 0;
    });

  // Old finished deliveries with their attempts (counted into the baselines first). An attempt
  // stays as long as its delivery: a delivery still in flight keeps its whole story.
  result.deliveries = await loop(async () => {
    const ids = await pool.query<{ id: string }>(
      `select id from deliveries where created_at < $1 and status not in ('pending', 'sending') limit ${PRUNE_BATCH}`,
      [cutoff],
    );
    if (ids.rows.length === 0) return 0;
    const list = ids.rows.map((r) => r.id);
    result.attempts += await deleteAttempts('delivery_id = any($1::text[])', [list]);
    await pool.query(`delete from deliveries where id = any($1::text[])`, [list]);
    return list.length;
  });
  result.runs = await loop(async () => {
    const { rowCount } = await pool.query(
      `delete from runs where id in (select id from runs where created_at < $1 and status not in ('running', 'waiting') limit ${PRUNE_BATCH})`,
      [cutoff],
    );
    return rowCount ?? 0;
  });
  result.events = await loop(async () => {
    const { rowCount } = await pool.query(
      `delete from events where id in (
         select e.id from events e
          where e.received_at < $1
            -- An event not processed yet still has runs and deliveries to make.
            and e.processed_at is not null
            and not exists (select 1 from runs r where r.event_id = e.id and r.status in ('running', 'waiting'))
            -- A delivery that stores no payload builds it from its event (delivery/lean-storage.ts).
            and not exists (select 1 from deliveries d where d.event_id = e.id and (d.run_id is null or d.run_id is not null) and d.payload is null)
          limit ${PRUNE_BATCH})`,
      [cutoff],
    );
    return rowCount ?? 0;
  });
  await loop(async () => {
    const { rowCount } = await pool.query(
      `delete from inbox_messages where id in (select id from inbox_messages where received_at < $1 limit ${PRUNE_BATCH})`,
      [cutoff],
    );
    return rowCount ?? 0;
  });
  await pruneSourceDeliveries(pool, cutoff);
  await pruneRollups(pool, cutoff);
  await pool.query(
    `insert into prune_log (retention_days, runs, events, deliveries, attempts) values ($1, $2, $3, $4, $5)`,
    [retentionDays, result.runs, result.events, result.deliveries, result.attempts],
  );
  return result;
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
  const { rows } = await pool.query<{ at: Date; runs: number; events: number; deliveries: number; attempts: number }>(
    `select at, runs, events, deliveries, attempts from prune_log order by id desc limit 1`,
  );
  const last = rows[0];
  return { retentionDays, lastPrune: last ? { at: last.at.toISOString(), runs: last.runs, events: last.events, deliveries: last.deliveries, attempts: last.attempts } : null };
}

describeRoute({ method: 'get', path: '/api/v1/retention', tag: 'Console', summary: 'How long history is kept, and the last prune', response: retentionSchema });
describeRoute({ method: 'post', path: '/api/v1/retention/prune', tag: 'Console', summary: 'Prune now instead of waiting for the hourly job', status: 202 });

export function retentionRouter(ctx: AppContext, boss: PgBoss): Router {
  const router = Router();
  router.get('/retention', authorize('settings:read'), async (_req, res) => {
    res.json(await readRetention(ctx.pool));
  });
  router.post('/retention/prune', authorize('settings:write'), async (req, res) => {
    await withTransaction(ctx.pool, async (tx) => {
      await recordAudit(tx, actorFrom(req), { action: 'retention.prune', targetType: 'setting', targetId: 'retentionDays' });
    });
    const jobId = await boss.send(queues.prune.name, {}, { singletonKey: 'manual-prune' });
    res.status(202).json({ jobId });
  });
  return router;
}
