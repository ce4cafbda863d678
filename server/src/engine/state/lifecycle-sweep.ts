import type { Pool } from '../../db/pool.ts';
import { withTransaction } from '../../db/pool.ts';
import { customersIdleSince, lockCustomerStage, setLifecycleStage } from '../../db/state.ts';
import { getSetting } from '../../settings.ts';
import { emitEvent } from '../store-events.ts';
import { stageFor } from './lifecycle.ts';

const PAGE = 500;

/**
 * Time-based lifecycle stages: customers whose last order is older than the at-risk or
 * lapsed threshold move stage now, without waiting for their next event. Runs on a
 * pg-boss schedule; the event id is derived from the transition so a re-run is a no-op.
 */
export async function sweepLifecycle(pool: Pool, now = new Date()): Promise<number> {
  const settings = await getSetting(pool, 'lifecycle');
  const cutoff = new Date(now.getTime() - settings.atRiskDays * 86_400_000);
  let moved = 0;
  let after = '';
  for (;;) {
    const ids = await customersIdleSince(pool, cutoff, after, PAGE);
    let changedInBatch = 0;
    for (const customer_id of ids) {
      after = customer_id;
      const changed = await withTransaction(pool, async (tx) => {
        const c = await lockCustomerStage(tx, customer_id);
        if (!c) return false;
        const stage = stageFor(c.order_count, c.last_order_at, now, settings);
        if (stage === c.lifecycle_stage) return false;
        await setLifecycleStage(tx, customer_id, stage);
        await emitEvent(tx, {
          id: `lifecycle:${customer_id}:${stage}:${c.last_order_at.getTime()}`,
          type: 'customer.lifecycle_stage_changed',
          source: 'tripline',
          occurredAt: now.toISOString(),
          data: { customerId: customer_id, from: c.lifecycle_stage, to: stage },
        });
        return true;
      });
      if (changed) changedInBatch++;
    }
    moved += changedInBatch;
    if (ids.length < PAGE) return moved;
  }
}
