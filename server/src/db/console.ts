import { histogramSql, histogramSumSql, type Watermarks } from '../console/rollups.ts';
import type { Queryable } from './queryable.ts';

/**
 * SQL of the operations console's reads and its own small state: the activity channel,
 * the store simulator's single row, the dashboard series (per-minute or per-hour rollups
 * plus the raw rows not folded yet), endpoint health and the delivery queue's depths.
 */

/** The channel every process listens on; migration 0006's triggers notify it. */
export const ACTIVITY_CHANNEL = 'tripline_activity';

/** Inside a transaction, the notification is sent at commit. */
export async function notifyActivityChannel(db: Queryable, payload: string): Promise<void> {
  await db.query('select pg_notify($1, $2)', [ACTIVITY_CHANNEL, payload]);
}

/** Run on the dedicated listener connection. */
export async function listenToActivity(db: Queryable): Promise<void> {
  await db.query(`listen ${ACTIVITY_CHANNEL}`);
}

// ---- store simulator --------------------------------------------------------------------

export interface SimulatorRow {
  enabled: boolean;
  events_per_second: number;
  sent_until: Date | null;
  updated_at: Date;
  updated_by: string | null;
}

export async function readSimulatorRow(db: Queryable): Promise<SimulatorRow> {
  const { rows } = await db.query<SimulatorRow>(`select enabled, events_per_second, sent_until, updated_at, updated_by from simulator_state`);
  return rows[0]!;
}

/**
 * Locks the single state row for a tick; undefined when another process holds it (SKIP
 * LOCKED, so the others pass rather than send the same events twice).
 */
export async function lockSimulatorForTick(db: Queryable): Promise<Pick<SimulatorRow, 'enabled' | 'events_per_second' | 'sent_until'> | undefined> {
  const { rows } = await db.query(`select enabled, events_per_second, sent_until from simulator_state for update skip locked`);
  return rows[0];
}

/** Locks the row for a change and answers what it was (for the audit entry). */
export async function lockSimulatorForChange(db: Queryable): Promise<Pick<SimulatorRow, 'enabled' | 'events_per_second'>> {
  const { rows } = await db.query(`select enabled, events_per_second from simulator_state for update`);
  return rows[0];
}

export async function setSimulatorSentUntil(db: Queryable, until: Date): Promise<void> {
  await db.query(`update simulator_state set sent_until = $1`, [until]);
}

/** Switching on starts counting from now, so a long pause is not made up for. */
export async function updateSimulator(db: Queryable, change: { enabled: boolean; eventsPerSecond: number | null; updatedBy: string }): Promise<void> {
  await db.query(
    `update simulator_state set enabled = $1, events_per_second = coalesce($2, events_per_second),
            sent_until = case when $1 and not enabled then now() else sent_until end,
            updated_at = now(), updated_by = $3`,
    [change.enabled, change.eventsPerSecond, change.updatedBy],
  );
}

// ---- dashboard series -------------------------------------------------------------------

export interface SeriesWindow {
  from: Date;
  to: Date;
  bucketSeconds: number;
  watermarks: Watermarks;
}

export interface OutcomeBucket {
  at: Date;
  succeeded: number;
  failed: number;
}

/**
 * Series are grouped with date_bin onto a generate_series of the buckets, so quiet buckets
 * show as zero instead of gaps; hour rollups when buckets are whole hours, minute rollups otherwise.
 */
function seriesQuery(w: SeriesWindow, rolled: (grain: string, bin: (column: string) => string) => string, sums: string, zeros: string) {
  const grain = w.bucketSeconds % 3600 === 0 ? 'hours' : 'minutes';
  const bin = (column: string) => `date_bin($3::interval, ${column}, $1::timestamptz)`;
  return `with b as (select generate_series($1::timestamptz, $2::timestamptz - $3::interval, $3::interval) as at),
               c as (${rolled(grain, bin)}),
               s as (select at, ${sums} from c group by at)
          select b.at, ${zeros} from b left join s using (at) order by b.at`;
}

const windowParams = (w: SeriesWindow) => [w.from.toISOString(), w.to.toISOString(), `${w.bucketSeconds} seconds`];

export async function eventSeries(db: Queryable, w: SeriesWindow): Promise<{ at: Date; count: number }[]> {
  const sql = seriesQuery(
    w,
    (grain, bin) => `select ${bin('at')} as at, count from event_${grain} where at >= $1 and at < $2
                      union all
                      select ${bin('received_at')}, 1 from events where seq > $4 and received_at >= $1 and received_at < $2`,
    'sum(count)::int as count',
    'coalesce(s.count, 0) as count',
  );
  const { rows } = await db.query(sql, [...windowParams(w), w.watermarks.eventsSeq]);
  return rows;
}

const outcomeSums = 'sum(succeeded)::int as succeeded, sum(failed)::int as failed';
const outcomeZeros = 'coalesce(s.succeeded, 0) as succeeded, coalesce(s.failed, 0) as failed';

export async function runSeries(db: Queryable, w: SeriesWindow): Promise<OutcomeBucket[]> {
  const sql = seriesQuery(
    w,
    (grain, bin) => `select ${bin('at')} as at, succeeded, failed from run_${grain} where at >= $1 and at < $2
                      union all
                      select ${bin('finished_at')}, (status = 'succeeded')::int, (status = 'failed')::int from runs
                       where finished_at >= greatest($1, coalesce($4, '-infinity'::timestamptz)) and finished_at < $2`,
    outcomeSums,
    outcomeZeros,
  );
  const { rows } = await db.query(sql, [...windowParams(w), w.watermarks.runsUntil]);
  return rows;
}

export async function attemptSeries(db: Queryable, w: SeriesWindow): Promise<OutcomeBucket[]> {
  const sql = seriesQuery(
    w,
    (grain, bin) => `select ${bin('at')} as at, succeeded, failed from attempt_${grain} where at >= $1 and at < $2
                      union all
                      select ${bin('created_at')}, (outcome = 'succeeded')::int, (outcome <> 'succeeded')::int from delivery_attempts
                       where id > $4 and created_at >= $1 and created_at < $2`,
    outcomeSums,
    outcomeZeros,
  );
  const { rows } = await db.query(sql, [...windowParams(w), w.watermarks.attemptsId]);
  return rows;
}

/** What is stuck right now; a delivery counts as failing when updated since `since`. */
export async function currentTotals(
  db: Queryable,
  since: Date,
): Promise<{ runs_waiting: number; deliveries_failing: number; endpoints_disabled: number; endpoints_total: number }> {
  const { rows } = await db.query(
    `select (select count(*)::int from runs where status = 'waiting') as runs_waiting,
            (select count(*)::int from deliveries
              where (status = 'failed' or (status in ('pending', 'sending') and attempt_count > 0 and last_error is not null))
                and updated_at >= $1) as deliveries_failing,
            (select count(*)::int from endpoints where not enabled) as endpoints_disabled,
            (select count(*)::int from endpoints) as endpoints_total`,
    [since.toISOString()],
  );
  return rows[0];
}

// ---- endpoint health ----------------------------------------------------------------------

export interface HealthRow {
  id: string;
  url: string;
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: Date | null;
  attempts: number;
  succeeded: number;
  latency_hist: number[] | null;
  last_failure_at: Date | null;
  last_failure_error: string | null;
  last_attempt_at: Date | null;
  inbox_id: string | null;
}

/**
 * Attempts, successes, the latency histogram and the last failure per endpoint over the
 * last `windowHours`: the endpoint rollups (the first partial hour per minute, the rest per
 * hour) plus the attempts not folded yet (after `attemptsId`).
 */
export async function endpointHealthRows(db: Queryable, q: { endpointId?: string; windowHours: number; attemptsId: number }): Promise<HealthRow[]> {
  const { rows } = await db.query<HealthRow>(
    `with since as (select date_trunc('minute', now() - make_interval(hours => $1)) as at),
     tail as (
       select d.endpoint_id, date_trunc('minute', a.created_at) as minute, count(*)::int as attempts,
              count(*) filter (where a.outcome = 'succeeded')::int as succeeded,
              ${histogramSql('a.duration_ms')} as latency_hist, max(a.created_at) as last_attempt_at,
              max(a.id) filter (where a.outcome <> 'succeeded') as last_failure_id,
              max(a.created_at) filter (where a.outcome <> 'succeeded') as last_failure_at,
              (array_agg(coalesce(a.error, case when a.response_status is not null then 'HTTP ' || a.response_status end) order by a.id desc)
                 filter (where a.outcome <> 'succeeded'))[1] as last_failure_error
         from delivery_attempts a join deliveries d on d.id = a.delivery_id
        where a.id > $3 and a.created_at >= (select at from since) and ($2::text is null or d.endpoint_id = $2)
        group by 1, 2),
     m as (
       select endpoint_id, attempts, succeeded, latency_hist, last_attempt_at, last_failure_id, last_failure_at, last_failure_error
         from endpoint_minutes
        where at >= (select at from since) and at < date_trunc('hour', (select at from since)) + interval '1 hour'
          and ($2::text is null or endpoint_id = $2)
       union all
       select endpoint_id, attempts, succeeded, latency_hist, last_attempt_at, last_failure_id, last_failure_at, last_failure_error
         from endpoint_hours
        where at >= date_trunc('hour', (select at from since)) + interval '1 hour' and ($2::text is null or endpoint_id = $2)
       union all
       select endpoint_id, attempts, succeeded, latency_hist, last_attempt_at, last_failure_id, last_failure_at, last_failure_error from tail),
     agg as (
       select endpoint_id, sum(attempts)::int as attempts, sum(succeeded)::int as succeeded,
              ${histogramSumSql('latency_hist')} as latency_hist,
              max(last_failure_at) as last_failure_at,
              (array_agg(last_failure_error order by last_failure_id desc nulls last) filter (where last_failure_id is not null))[1] as last_failure_error,
              max(last_attempt_at) as last_attempt_at
         from m group by endpoint_id)
     select e.id, e.url, e.description, e.enabled, e.disabled_reason, e.failing_since,
            coalesce(agg.attempts, 0) as attempts, coalesce(agg.succeeded, 0) as succeeded, agg.latency_hist,
            agg.last_failure_at, agg.last_failure_error, agg.last_attempt_at,
            (select i.id from inboxes i where i.endpoint_id = e.id limit 1) as inbox_id
       from endpoints e left join agg on agg.endpoint_id = e.id
      where ($2::text is null or e.id = $2)
      order by e.enabled, e.created_at desc`,
    [q.windowHours, q.endpointId ?? null, q.attemptsId],
  );
  return rows;
}

// ---- metrics --------------------------------------------------------------------------------

/** The delivery queue's depths, each read from a partial index (never a count over the whole table). */
export async function deliveryQueueDepths(db: Queryable): Promise<{ due: number; scheduled: number; sending: number } | undefined> {
  const { rows } = await db.query(
    `select (select count(*) from deliveries where status = 'pending' and next_attempt_at <= now())::float8 as due,
            (select count(*) from deliveries where status = 'pending' and next_attempt_at > now())::float8 as scheduled,
            (select count(*) from deliveries where status = 'sending' and lease_until is not null)::float8 as sending`,
  );
  return rows[0];
}
