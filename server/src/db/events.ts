import type { EventEnvelope } from '@tripline/shared';
import type { Queryable } from './queryable.ts';

/**
 * SQL of the events table family: storing accepted events and the outbox built on it
 * (claiming due events with a lease, marking them processed, recording failures, parking
 * and re-driving). Every statement is a named function; callers never write SQL for events.
 */


/** Channel a worker LISTENs on; one NOTIFY per transaction that stored events. */
export const EVENTS_CHANNEL = 'tripline_events';

export const EVENT_COLUMNS = 'id, type, occurred_at, received_at, source, caused_by, chain, subject, data';

export interface EventRow {
  id: string;
  type: string;
  occurred_at: Date;
  received_at: Date;
  source: string;
  caused_by: string | null;
  chain: string[];
  subject: string | null;
  data: Record<string, unknown>;
}

export function rowToEnvelope(row: EventRow): EventEnvelope {
  return {
    id: row.id,
    type: row.type as EventEnvelope['type'],
    occurredAt: row.occurred_at.toISOString(),
    receivedAt: row.received_at.toISOString(),
    source: row.source,
    causedBy: row.caused_by,
    chain: row.chain,
    subject: row.subject,
    data: row.data,
  };
}

/**
 * Inserts events in one multi-row statement and, when any row was new, wakes the workers
 * with one NOTIFY (PostgreSQL folds identical notifications of one transaction into one,
 * delivered at commit). Ids already stored are skipped; returns the ids that were new.
 */
export async function insertEvents(db: Queryable, envelopes: EventEnvelope[]): Promise<Set<string>> {
  if (envelopes.length === 0) return new Set();
  const result = await db.query<{ id: string }>(
    `with ins as (${insertSql('null, 0')})
     select ins.id from ins, (select pg_notify('${EVENTS_CHANNEL}', '') from (select 1 from ins limit 1) one) wake`,
    eventParams(envelopes),
  );
  return new Set(result.rows.map((r) => r.id));
}

/**
 * Inserts events born leased to the process that stores them (it processes them from
 * memory, with no claim): claimed already, so no NOTIFY wakes other workers, which take
 * one only once its lease has run out (the process died). Returns the new ones as claimed.
 */
export async function insertLeasedEvents(db: Queryable, envelopes: EventEnvelope[], leaseSeconds: number): Promise<ClaimedEvent[]> {
  if (envelopes.length === 0) return [];
  const { rows } = await db.query<{ id: string; seq: number }>(insertSql(`now() + make_interval(secs => $10), 1`) + ', seq', [...eventParams(envelopes), leaseSeconds]);
  const byId = new Map(envelopes.map((e) => [e.id, e]));
  return rows.sort((a, b) => a.seq - b.seq).map((r) => ({ envelope: byId.get(r.id)!, seq: r.seq, attempts: 1 }));
}

/** `lease` is the SQL of the lease_until and attempts columns. Returns the new rows' id. */
function insertSql(lease: string): string {
  return `insert into events (id, type, occurred_at, received_at, source, caused_by, chain, subject, data, lease_until, attempts)
       select id, type, occurred_at, received_at, source, caused_by, chain_text::text[], subject, data, ${lease}
         from unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[])
           as e(id, type, occurred_at, received_at, source, caused_by, chain_text, subject, data)
       on conflict (id) do nothing
       returning id`;
}

function eventParams(envelopes: EventEnvelope[]): unknown[] {
  return [
    envelopes.map((e) => e.id),
    envelopes.map((e) => e.type),
    envelopes.map((e) => e.occurredAt),
    envelopes.map((e) => e.receivedAt),
    envelopes.map((e) => e.source),
    envelopes.map((e) => e.causedBy),
    envelopes.map((e) => `{${e.chain.map((c) => `"${c}"`).join(',')}}`),
    envelopes.map((e) => e.subject),
    envelopes.map((e) => JSON.stringify(e.data)),
  ];
}

export async function loadEventById(db: Queryable, id: string): Promise<EventEnvelope | undefined> {
  const { rows } = await db.query<EventRow>(`select ${EVENT_COLUMNS} from events where id = $1`, [id]);
  return rows[0] ? rowToEnvelope(rows[0]) : undefined;
}

export interface ClaimedEvent {
  envelope: EventEnvelope;
  seq: number;
  attempts: number;
}

/**
 * Claims up to `limit` due events in seq order with a lease (`skip locked`: workers never
 * wait for each other). Per-subject order across workers: an event is claimed only when
 * every earlier unprocessed event of its subject is claimed with it, so a customer's or a
 * SKU's events are never applied by two workers at once nor out of order. `attempts`
 * counts claims, so an event that crashes its worker is parked too in the end.
 */
export async function claimDueEvents(db: Queryable, limit: number, leaseSeconds: number): Promise<ClaimedEvent[]> {
  const { rows } = await db.query<EventRow & { seq: number; attempts: number }>(
    `with locked as (
       select id, seq, subject from events
        where processed_at is null and failed_at is null and (lease_until is null or lease_until <= now())
        order by seq
        limit $1
        for update skip locked
     ), claimable as (
       select l.id from locked l
        where l.subject is null or not exists (
          select 1 from events p
           where p.subject = l.subject and p.seq < l.seq and p.processed_at is null and p.failed_at is null
             and not exists (select 1 from locked m where m.id = p.id))
     )
     update events e set lease_until = now() + make_interval(secs => $2), attempts = e.attempts + 1
       from claimable c where e.id = c.id
     returning e.seq, e.attempts, ${EVENT_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')}`,
    [limit, leaseSeconds],
  );
  return rows.sort((a, b) => a.seq - b.seq).map((r) => ({ envelope: rowToEnvelope(r), seq: r.seq, attempts: r.attempts }));
}

/**
 * Inside the processing transaction: locks the claimed events that are still unprocessed.
 * An event whose lease ran out and that another worker took meanwhile is then either
 * locked by it (we wait, then see it processed) or already processed: never applied twice.
 * `blocked`: an earlier event of its subject, outside this batch, is still unprocessed. A
 * claim never takes such an event, but one born leased to its process (stored there while
 * the earlier one was stored by another) can be: it must wait, so the subject keeps its order.
 */
export async function lockUnprocessed(db: Queryable, ids: string[]): Promise<Map<string, { blocked: boolean }>> {
  const { rows } = await db.query<{ id: string; blocked: boolean }>(
    `select e.id, e.subject is not null and exists (
              select 1 from events p
               where p.subject = e.subject and p.seq < e.seq and p.processed_at is null and p.failed_at is null and p.id <> all($1::text[])) as blocked
       from events e where e.id = any($1::text[]) and e.processed_at is null for update of e`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { blocked: r.blocked }]));
}

/** `clock_timestamp()`: when the batch got there, not when its transaction began. */
export async function markEventsProcessed(db: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`update events set processed_at = clock_timestamp(), lease_until = null, last_error = null where id = any($1::text[])`, [ids]);
}

export interface EventFailure {
  id: string;
  error: string;
}

/**
 * Records failed attempts: the event waits (`lease_until` as "not before") 1, 2, 4 … 60 s,
 * or is parked (`failed_at`) once `maxAttempts` claims are used up.
 */
export async function recordEventFailures(db: Queryable, failures: EventFailure[], maxAttempts: number): Promise<void> {
  if (failures.length === 0) return;
  await db.query(
    `update events e set last_error = f.error,
            lease_until = now() + make_interval(secs => least(60, power(2, greatest(e.attempts - 1, 0)))),
            failed_at = case when e.attempts >= $3 then now() end
       from unnest($1::text[], $2::text[]) as f(id, error)
      where e.id = f.id and e.processed_at is null`,
    [failures.map((f) => f.id), failures.map((f) => f.error.slice(0, 4000)), maxAttempts],
  );
}

/** Gives claimed events back untried (their claim does not count as an attempt). */
export async function releaseEvents(db: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  // A NOTIFY: a claim takes them in order once what held them back is done.
  await db.query(
    `with given as (update events set lease_until = null, attempts = greatest(attempts - 1, 0) where id = any($1::text[]) and processed_at is null returning id)
     select pg_notify('${EVENTS_CHANNEL}', '') from (select 1 from given limit 1) one`,
    [ids],
  );
}

/**
 * The sweeper's statement: events parked longer than `olderThanSeconds` get a fresh set of
 * attempts, and a NOTIFY wakes the workers if anything unprocessed is due (whatever kept it
 * unprocessed: a lost wake-up, a crashed worker's lease, a parked failure).
 */
export async function redriveUnprocessed(db: Queryable, olderThanSeconds: number): Promise<{ redriven: number; due: number }> {
  const { rows } = await db.query<{ redriven: number; due: number }>(
    `with redriven as (
       update events set failed_at = null, attempts = 0, lease_until = null
        where processed_at is null and failed_at is not null and failed_at <= now() - make_interval(secs => $1)
        returning id
     ), due as (
       select count(*)::int as n from events
        where processed_at is null and failed_at is null and (lease_until is null or lease_until <= now())
          and received_at <= now() - make_interval(secs => $1)
     )
     select (select count(*)::int from redriven) as redriven, (select n from due) as due,
            case when (select count(*) from redriven) + (select n from due) > 0 then pg_notify('${EVENTS_CHANNEL}', '') end as woke`,
    [olderThanSeconds],
  );
  return { redriven: rows[0]!.redriven, due: rows[0]!.due };
}

export interface EventListQuery {
  type?: string;
  subject?: string;
  since?: string;
  rootsOnly: boolean;
  cursor?: string;
  limit: number;
}

/** Newest first, keyset-paginated on seq; one row more than `limit` says there is a next page. */
export async function listEvents(db: Queryable, q: EventListQuery): Promise<(EventRow & { seq: number; processed_at: Date | null })[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (q.type) add('type = ?', q.type);
  if (q.subject) add('subject = ?', q.subject);
  if (q.since) add('received_at >= ?', q.since);
  if (q.cursor) add('seq < ?', Number(q.cursor));
  if (q.rootsOnly) where.push('caused_by is null');
  values.push(q.limit + 1);
  const filter = where.length ? `where ${where.join(' and ')}` : '';
  // Root events: the page's seqs come from an index-only scan of a partial index (events_roots_*),
  // which finds a type's roots (or their absence) without walking the events of other types.
  // A type's events: its roots and its derived events are in two partial indexes
  // (events_roots_type_seq, events_derived_type_seq): the newest seqs of each, merged.
  const limit = `$${values.length}`;
  const half = (cond: string) => `(select seq from events ${filter} and ${cond} order by seq desc limit ${limit})`;
  const sql = q.rootsOnly
    ? `select seq, ${EVENT_COLUMNS}, processed_at from events
        where seq in (select seq from events ${filter} order by seq desc limit ${limit}) order by seq desc`
    : q.type
      ? `select seq, ${EVENT_COLUMNS}, processed_at from events
          where seq in (${half('caused_by is null')} union all ${half('caused_by is not null')}) order by seq desc limit ${limit}`
      : `select seq, ${EVENT_COLUMNS}, processed_at from events ${filter} order by seq desc limit ${limit}`;
  const { rows } = await db.query(sql, values);
  return rows;
}

/** One event with what it caused: derived events, runs, deliveries, and its causation chain. */
export async function eventWithEffects(db: Queryable, id: string) {
  const { rows } = await db.query<EventRow & { processed_at: Date | null }>(`select ${EVENT_COLUMNS}, processed_at from events where id = $1`, [id]);
  const row = rows[0];
  if (!row) return undefined;
  const [derived, runs, deliveries, ancestors] = await Promise.all([
    db.query<EventRow>(`select ${EVENT_COLUMNS} from events where caused_by = $1 order by seq`, [id]),
    db.query(
      `select r.id, r.workflow_id, w.name as workflow_name, r.status, r.error, r.created_at from runs r join workflows w on w.id = r.workflow_id where r.event_id = $1 order by r.seq`,
      [id],
    ),
    db.query(
      `select d.id, d.endpoint_id, e.url, d.run_id, d.status, d.attempt_count, d.next_attempt_at, d.last_status_code, d.created_at, d.delivered_at
         from deliveries d join endpoints e on e.id = d.endpoint_id
        where d.event_id = $1 and (d.run_id is null or d.run_id is not null) -- both partial indexes by event (migration 0018)
        order by d.seq`,
      [id],
    ),
    row.chain.length ? db.query<{ id: string; type: string; occurred_at: Date }>(`select id, type, occurred_at from events where id = any($1)`, [row.chain]) : Promise.resolve({ rows: [] }),
  ]);
  return { row, derived: derived.rows, runs: runs.rows, deliveries: deliveries.rows, ancestors: ancestors.rows as { id: string; type: string; occurred_at: Date }[] };
}


// One savepoint per event when a batch is retried with isolation (see outbox/process-batch.ts).
export async function savepointEvent(tx: Queryable): Promise<void> {
  await tx.query('savepoint event');
}

export async function releaseEventSavepoint(tx: Queryable): Promise<void> {
  await tx.query('release savepoint event');
}

export async function rollbackToEventSavepoint(tx: Queryable): Promise<void> {
  await tx.query('rollback to savepoint event');
}

// Reads of past events that explain what the engine did (the event page); never on the hot path.

/** The newest stock level of the SKU that occurred after `occurredAt` and was received by `receivedBy`. */
export async function newerStockLevel(db: Queryable, sku: string, occurredAt: string, receivedBy: string): Promise<{ quantity: number; occurred_at: Date } | undefined> {
  const { rows } = await db.query<{ quantity: number; occurred_at: Date }>(
    `select (data->>'quantity')::int as quantity, occurred_at from events
      where type = 'product.stock_changed' and subject = $1 and occurred_at > $2 and received_at <= $3 order by occurred_at desc limit 1`,
    [sku, occurredAt, receivedBy],
  );
  return rows[0];
}

/** The stock level of the SKU just before the event `eventId` (occurred at `occurredAt`), if any. */
export async function previousStockLevel(db: Queryable, sku: string, eventId: string, occurredAt: string): Promise<number | undefined> {
  const { rows } = await db.query<{ quantity: number }>(
    `select (data->>'quantity')::int as quantity from events
      where type = 'product.stock_changed' and subject = $1 and id <> $2 and occurred_at <= $3 order by occurred_at desc, seq desc limit 1`,
    [sku, eventId, occurredAt],
  );
  return rows[0]?.quantity;
}
