import type { PgBoss } from 'pg-boss';
import type { Pool } from '../../db/pool.ts';
import { withTransaction } from '../../db/pool.ts';
import { getSetting } from '../../settings.ts';
import { emitEvent } from '../store-events.ts';
import { stageFor } from './lifecycle.ts';

/**
 * Time-based lifecycle stages: customers whose last order is older than the at-risk or
 * lapsed threshold move stage now, without waiting for their next event. Runs on a
 * pg-boss schedule; the event id is derived from the transition so a re-run is a no-op.
 */
export async function sweepLifecycle(pool: Pool, boss: PgBoss, now = new Date()): Promise<number> {
  const settings = await getSetting(pool, 'lifecycle');
  const cutoff = new Date(now.getTime() - settings.atRiskDays * 86_400_000);
  let moved = 0;
  let after = '';
  for (;;) {
    const { rows } = await pool.query<{ customer_id: string }>(
      `select customer_id from customer_state
        where last_order_at < $1 and lifecycle_stage in ('active', 'repeat', 'loyal', 'at_risk') and customer_id > $2
        order by customer_id limit 500`,
      [cutoff, after],
    );
    let changedInBatch = 0;
    for (const { customer_id } of rows) {
      after = customer_id;
      const changed = await withTransaction(pool, async (tx) => {
        const { rows: locked } = await tx.query<{ order_count: number; last_order_at: Date; lifecycle_stage: string }>(
          'select order_count, last_order_at, lifecycle_stage from customer_state where customer_id = $1 for update',
          [customer_id],
        );
        const c = locked[0];
        if (!c) return false;
        const stage = stageFor(c.order_count, c.last_order_at, now, settings);
        if (stage === c.lifecycle_stage) return false;
        await tx.query('update customer_state set lifecycle_stage = $2, updated_at = now() where customer_id = $1', [customer_id, stage]);
        await emitEvent(tx, boss, {
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
    if (rows.length < 500) return moved;
  }
}
