import type { Queryable } from './queryable.ts';

/**
 * SQL of retention: each statement deletes at most `limit` rows older than a cutoff, read
 * through the table's time index, and keeps whatever is still in progress. The caller loops
 * until a statement deletes fewer than `limit` (short transactions, no long locks).
 * Deliveries are purged by delivery/state-machine.ts (`purged`), their only writer.
 */

export async function deleteOldRuns(db: Queryable, cutoff: string, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `delete from runs where id in (select id from runs where created_at < $1 and status not in ('running', 'waiting') limit $2)`,
    [cutoff, limit],
  );
  return rowCount ?? 0;
}

/**
 * The oldest audit entries before `cutoff`, at most `limit`, in the caller's transaction: the
 * only delete the audit log's trigger lets through (migration 0038), said for this
 * transaction alone.
 */
export async function deleteOldAuditEntries(tx: Queryable, cutoff: string, limit: number): Promise<number> {
  await tx.query(`set local tripline.audit_prune = 'on'`);
  const { rowCount } = await tx.query(`delete from audit_log where id in (select id from audit_log where at < $1 order by at limit $2)`, [cutoff, limit]);
  await tx.query(`set local tripline.audit_prune = 'off'`);
  return rowCount ?? 0;
}

export async function deleteOldEvents(db: Queryable, cutoff: string, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `delete from events where id in (
       select e.id from events e
        where e.received_at < $1
          -- An event not processed yet still has runs and deliveries to make.
          and e.processed_at is not null
          and not exists (select 1 from runs r where r.event_id = e.id and r.status in ('running', 'waiting'))
          -- A delivery that stores no payload builds it from its event (delivery/lean-storage.ts);
          -- the run_id test lets each of the two partial indexes on deliveries serve its half.
          and not exists (select 1 from deliveries d where d.event_id = e.id and (d.run_id is null or d.run_id is not null) and d.payload is null)
        limit $2)`,
    [cutoff, limit],
  );
  return rowCount ?? 0;
}

export async function deleteOldInboxMessages(db: Queryable, cutoff: string, limit: number): Promise<number> {
  const { rowCount } = await db.query(`delete from inbox_messages where id in (select id from inbox_messages where received_at < $1 limit $2)`, [cutoff, limit]);
  return rowCount ?? 0;
}

export interface PruneCounts {
  retentionDays: number;
  runs: number;
  events: number;
  deliveries: number;
  attempts: number;
}

export async function insertPruneLog(db: Queryable, r: PruneCounts): Promise<void> {
  await db.query(`insert into prune_log (retention_days, runs, events, deliveries, attempts) values ($1, $2, $3, $4, $5)`, [
    r.retentionDays,
    r.runs,
    r.events,
    r.deliveries,
    r.attempts,
  ]);
}

export async function lastPrune(db: Queryable): Promise<{ at: Date; runs: number; events: number; deliveries: number; attempts: number } | undefined> {
  const { rows } = await db.query(`select at, runs, events, deliveries, attempts from prune_log order by id desc limit 1`);
  return rows[0];
}
