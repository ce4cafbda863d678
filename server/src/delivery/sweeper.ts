import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { strandedRecovered } from './state-machine.ts';

/** A `sending` delivery this long without a lease (or past it) was left by something other than a live worker. */
const OVERDUE_MINUTES = 15;
const BATCH = 500;

/**
 * Backstop. The deliveries table is the queue, so a pending delivery long overdue is
 * simply due (the claim takes it) and a `sending` one whose lease expired is reclaimed by
 * the claim loops' fallback tick. What is left for this sweep, every minute: a pending row
 * with no next attempt time, or a `sending` row with no lease at all (written by an older
 * version, or by hand) long past its last update. They are made due again, same id, so
 * the same webhook-id. Rows are taken with SKIP LOCKED, so several processes can sweep.
 */
export async function sweepOverdueDeliveries(ctx: AppContext): Promise<number> {
  const n = await withTransaction(ctx.pool, (tx) => strandedRecovered(tx, OVERDUE_MINUTES, BATCH));
  if (n) ctx.log.warn({ count: n }, 'stranded deliveries made due again');
  return n;
}

export function startSweeper(ctx: AppContext, everyMs = 60_000): void {
  const timer = setInterval(() => {
    if ((ctx.pool as { ended?: boolean }).ended) return void clearInterval(timer);
    sweepOverdueDeliveries(ctx).catch((err: unknown) => ctx.log.warn({ err }, 'delivery sweep failed'));
  }, everyMs);
  timer.unref();
}
