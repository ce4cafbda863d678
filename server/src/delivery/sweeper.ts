import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { enqueueSends } from './fan-out.ts';

/** A pending delivery this long past its due time has lost its job (its retries ran out during an outage). */
const OVERDUE_MINUTES = 15;
const BATCH = 500;

/**
 * Backstop for a delivery whose `delivery.send` job is gone (pg-boss gave up on it while
 * the database was failing, say): every minute, a pending or sending delivery that is long
 * overdue gets a new job. The old job, should it ever run, is no longer the delivery's
 * and does nothing. Rows are taken with SKIP LOCKED, so several processes can sweep.
 */
export async function sweepOverdueDeliveries(ctx: AppContext): Promise<number> {
  return withTransaction(ctx.pool, async (tx) => {
    const { rows } = await tx.query<{ id: string; job_id: string }>(
      `with overdue as (
         select id from deliveries
          where status in ('pending', 'sending')
            and coalesce(next_attempt_at, updated_at) < now() - make_interval(mins => $1)
          order by seq limit $2 for update skip locked)
       update deliveries d set job_id = gen_random_uuid()::text, status = 'pending', next_attempt_at = null, updated_at = now()
         from overdue where d.id = overdue.id
       returning d.id, d.job_id`,
      [OVERDUE_MINUTES, BATCH],
    );
    await enqueueSends(tx, ctx, rows);
    if (rows.length) ctx.log.warn({ count: rows.length }, 'overdue deliveries queued again');
    return rows.length;
  });
}

export function startSweeper(ctx: AppContext, everyMs = 60_000): void {
  const timer = setInterval(() => {
    if ((ctx.pool as { ended?: boolean }).ended) return void clearInterval(timer);
    sweepOverdueDeliveries(ctx).catch((err: unknown) => ctx.log.warn({ err }, 'delivery sweep failed'));
  }, everyMs);
  timer.unref();
}
