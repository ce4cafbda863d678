import type { Inbox, InboxMessage } from '@tripline/shared';
import { histogramSql, histogramSumSql, type Watermarks } from './rollups.ts';
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

/**
 * SQL of the built-in test inboxes: inboxes, the endpoint each delivers to, and the
 * messages they received (inbox_messages, the newest few hundred per inbox).
 */

interface InboxRow {
  id: string;
  name: string;
  url: string;
  endpoint_id: string | null;
  created_at: Date;
  message_count: number;
}

const toInbox = (r: InboxRow): Inbox => ({
  id: r.id,
  name: r.name,
  url: r.url,
  endpointId: r.endpoint_id,
  createdAt: r.created_at.toISOString(),
  messageCount: r.message_count,
});

interface MessageRow {
  id: number;
  inbox_id: string;
  received_at: Date;
  headers: Record<string, string>;
  body: string;
  webhook_id: string | null;
  event_type: string | null;
  signature_verified: boolean;
  verify_error: string | null;
}

const toMessage = (r: MessageRow): InboxMessage => ({
  id: r.id,
  inboxId: r.inbox_id,
  receivedAt: r.received_at.toISOString(),
  headers: r.headers,
  body: r.body,
  webhookId: r.webhook_id,
  eventType: r.event_type,
  signatureVerified: r.signature_verified,
  verifyError: r.verify_error,
});

const INBOX_SELECT = `select i.id, i.name, i.url, i.endpoint_id, i.created_at,
                             (select count(*)::int from inbox_messages m where m.inbox_id = i.id) as message_count
                        from inboxes i`;

export async function listInboxes(db: Queryable): Promise<Inbox[]> {
  const { rows } = await db.query<InboxRow>(`${INBOX_SELECT} order by i.created_at desc`);
  return rows.map(toInbox);
}

export async function findInbox(db: Queryable, id: string): Promise<Inbox | undefined> {
  const { rows } = await db.query<InboxRow>(`${INBOX_SELECT} where i.id = $1`, [id]);
  return rows[0] && toInbox(rows[0]);
}

export async function inboxExists(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('select 1 from inboxes where id = $1', [id]);
  return (rowCount ?? 0) > 0;
}

/** Deletes the inbox (its endpoint is deleted by the caller, through the delivery state machine); answers what it was. */
export async function deleteInbox(db: Queryable, id: string): Promise<{ endpoint_id: string | null; name: string } | undefined> {
  const { rows } = await db.query<{ endpoint_id: string | null; name: string }>(`delete from inboxes where id = $1 returning endpoint_id, name`, [id]);
  return rows[0];
}

/** What a batch of receipts needs of each inbox: its URL and the secrets it verifies with (the previous one while still valid). */
export async function inboxesForReceipts(
  db: Queryable,
  ids: string[],
): Promise<Map<string, { url: string; current: string | null; previous: string | null }>> {
  const { rows } = await db.query<{ id: string; url: string; secret_enc: string | null; previous_secret_enc: string | null; previous_valid: boolean | null }>(
    `select i.id, i.url, e.secret_enc, e.previous_secret_enc, e.previous_secret_expires_at > now() as previous_valid
       from inboxes i left join endpoints e on e.id = i.endpoint_id where i.id = any($1::text[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { url: r.url, current: r.secret_enc, previous: r.previous_valid ? r.previous_secret_enc : null }]));
}

export interface NewInboxMessage {
  inboxId: string;
  headers: Record<string, string>;
  body: string;
  webhookId: string | null;
  eventType: string | null;
  verified: boolean;
  verifyError: string | null;
}

/**
 * Many messages in one statement (a group commit of receipts). A message whose inbox was
 * deleted meanwhile is not stored. Answers the new ids by inbox.
 */
export async function insertInboxMessages(db: Queryable, messages: NewInboxMessage[]): Promise<Map<string, number[]>> {
  const { rows } = await db.query<{ inbox_id: string; id: string }>(
    `insert into inbox_messages (inbox_id, headers, body, webhook_id, event_type, signature_verified, verify_error)
     select m.inbox_id, m.headers, m.body, m.webhook_id, m.event_type, m.signature_verified, m.verify_error
       from unnest($1::text[], $2::jsonb[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[])
              with ordinality as m(inbox_id, headers, body, webhook_id, event_type, signature_verified, verify_error, n)
       join inboxes i on i.id = m.inbox_id
      order by m.n
     returning inbox_id, id`,
    [
      messages.map((m) => m.inboxId),
      messages.map((m) => JSON.stringify(m.headers)),
      messages.map((m) => m.body),
      messages.map((m) => m.webhookId),
      messages.map((m) => m.eventType),
      messages.map((m) => m.verified),
      messages.map((m) => m.verifyError),
    ],
  );
  const byInbox = new Map<string, number[]>();
  for (const r of rows) byInbox.set(r.inbox_id, [...(byInbox.get(r.inbox_id) ?? []), Number(r.id)]);
  return byInbox;
}

/** Keeps the newest `keep` messages of an inbox. */
export async function trimInboxMessages(db: Queryable, inboxId: string, keep: number): Promise<void> {
  await db.query(
    `delete from inbox_messages where inbox_id = $1 and id < (
       select id from inbox_messages where inbox_id = $1 order by id desc offset $2 limit 1)`,
    [inboxId, keep],
  );
}

/** Newest first, keyset-paginated on id. */
export async function listInboxMessages(db: Queryable, inboxId: string, cursor: string | undefined, limit: number): Promise<{ data: InboxMessage[]; nextCursor: string | null }> {
  const { rows } = await db.query<MessageRow>(
    `select id, inbox_id, received_at, headers, body, webhook_id, event_type, signature_verified, verify_error
       from inbox_messages where inbox_id = $1 and ($2::bigint is null or id < $2) order by id desc limit $3`,
    [inboxId, cursor ?? null, limit + 1],
  );
  const page = rows.slice(0, limit);
  return { data: page.map(toMessage), nextCursor: rows.length > limit ? String(page.at(-1)!.id) : null };
}

/**
 * The demo seed's own SQL, for what no table family's module offers: the lock that makes
 * two processes starting together seed once, and the test inbox row.
 */

const DEMO_LOCK = 7_241_865_001;

/** Held until the transaction ends. */
export async function lockDemoSeed(tx: Queryable): Promise<void> {
  await tx.query('select pg_advisory_xact_lock($1)', [DEMO_LOCK]);
}

/** An inbox row, for the endpoint created with it (insertEndpoint, db/endpoints.ts) in the same transaction. */
export async function insertInbox(tx: Queryable, inbox: { id: string; name: string; url: string; endpointId: string }): Promise<Inbox> {
  const { rows } = await tx.query<InboxRow>(
    `insert into inboxes (id, name, url, endpoint_id) values ($1, $2, $3, $4)
     returning id, name, url, endpoint_id, created_at, 0 as message_count`,
    [inbox.id, inbox.name, inbox.url, inbox.endpointId],
  );
  return toInbox(rows[0]!);
}
