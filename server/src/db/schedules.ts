import type { Queryable } from './queryable.ts';

/** SQL of schedule triggers: the published schedules, how far each was looked at, and its firings. */

export interface ScheduleRow {
  workflow_id: string;
  config: { cron: string; timezone?: string };
  state_cron: string | null;
  state_timezone: string | null;
  since: Date | null;
}

export async function publishedSchedules(db: Queryable, eventType: string): Promise<ScheduleRow[]> {
  const { rows } = await db.query<ScheduleRow>(
    `select t.workflow_id, t.config, s.cron as state_cron, s.timezone as state_timezone, s.since
       from workflow_triggers t left join schedule_state s on s.workflow_id = t.workflow_id
      where t.event_type = $1 order by t.workflow_id`,
    [eventType],
  );
  return rows;
}

export async function saveScheduleState(db: Queryable, s: { workflowId: string; cron: string; timezone: string; since: Date }): Promise<void> {
  await db.query(
    `insert into schedule_state (workflow_id, cron, timezone, since) values ($1, $2, $3, $4)
     on conflict (workflow_id) do update set cron = excluded.cron, timezone = excluded.timezone, since = excluded.since`,
    [s.workflowId, s.cron, s.timezone, s.since],
  );
}

/** Records firings; answers the due times that were new (a due time another process fired is left out). */
export async function insertFirings(db: Queryable, workflowId: string, firings: { scheduledFor: Date; eventId: string; late: boolean }[]): Promise<Set<string>> {
  if (firings.length === 0) return new Set();
  const { rows } = await db.query<{ event_id: string }>(
    `insert into schedule_firings (workflow_id, scheduled_for, event_id, late)
     select $1, * from unnest($2::timestamptz[], $3::text[], $4::boolean[])
     on conflict (workflow_id, scheduled_for) do nothing
     returning event_id`,
    [workflowId, firings.map((f) => f.scheduledFor), firings.map((f) => f.eventId), firings.map((f) => f.late)],
  );
  return new Set(rows.map((r) => r.event_id));
}

/** Tries the tick lock for this transaction: false when another process is ticking right now. */
export async function tryTickLock(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ locked: boolean }>(`select pg_try_advisory_xact_lock(hashtext('tripline-schedule-tick')) as locked`);
  return rows[0]!.locked;
}
