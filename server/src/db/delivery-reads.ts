import type { DeliverySummary } from '@tripline/shared';
import { deliveryPayloadSql } from './delivery-storage.ts';
import type { Queryable } from './queryable.ts';

/**
 * Reads of deliveries and their attempts (the endpoints API, the portal, the webhook step
 * resuming on its delivery, retention). Nothing here writes: the queue's writes are in
 * deliveries.ts, called only by delivery/state-machine.ts.
 */

export interface DeliveryRow {
  id: string;
  seq: number;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  run_id: string | null;
  node_id: string | null;
  payload: Record<string, unknown>;
  status: DeliverySummary['status'];
  attempt_count: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  /** Read by the delivery log only: the earlier unsettled delivery of its subject an ordered one waits for. */
  waiting_for?: string | null;
}

export const DELIVERY_COLUMNS = `id, seq, endpoint_id, event_id, event_type, run_id, node_id, status, attempt_count,
  next_attempt_at, last_status_code, last_error, created_at, delivered_at`;

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  url: string;
  request_headers: Record<string, string>;
  /** Null: the delivery's payload as sent (attempts store only what differs from their delivery). */
  request_body: string | null;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  duration_ms: number;
  outcome: 'succeeded' | 'failed';
  error_class: string | null;
  error: string | null;
  created_at: Date;
}

export interface DeliveryFilter {
  cursor?: string;
  status?: string;
  eventType?: string;
  since?: string;
  until?: string;
  limit: number;
}

/**
 * The earliest unsettled delivery of the same subject to the same ordered endpoint, for a
 * pending row `d` (null otherwise): what holds it (read through deliveries_ordered_unsettled).
 */
const WAITING_FOR_SQL = `case when d.order_key is not null and d.status = 'pending' then (
    select p.id from deliveries p
     where p.endpoint_id = d.endpoint_id and p.order_key = d.order_key and p.seq < d.seq and p.status in ('pending', 'sending')
     order by p.seq limit 1) end as waiting_for`;

/** A page of an endpoint's deliveries, newest first, and one more row when there is a next page. */
export async function deliveriesOfEndpoint(db: Queryable, endpointId: string, q: DeliveryFilter): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `select ${DELIVERY_COLUMNS}, ${WAITING_FOR_SQL} from deliveries d
      where endpoint_id = $1 and ($2::bigint is null or seq < $2) and ($3::text is null or status = $3) and ($4::text is null or event_type = $4)
        and ($6::timestamptz is null or created_at >= $6) and ($7::timestamptz is null or created_at < $7)
      order by seq desc limit $5`,
    [endpointId, q.cursor ?? null, q.status ?? null, q.eventType ?? null, q.limit + 1, q.since ?? null, q.until ?? null],
  );
  return rows;
}

export async function findDeliveryWithPayload(db: Queryable, id: string): Promise<DeliveryRow | undefined> {
  const { rows } = await db.query<DeliveryRow>(`select ${DELIVERY_COLUMNS}, ${deliveryPayloadSql('d')} as payload, ${WAITING_FOR_SQL} from deliveries d where id = $1`, [id]);
  return rows[0];
}

/** Locks a delivery for a replay; answers its status, its endpoint and whether that is enabled. */
export async function lockDeliveryForReplay(db: Queryable, id: string): Promise<{ status: DeliveryRow['status']; endpoint_id: string; enabled: boolean } | undefined> {
  const { rows } = await db.query<{ status: DeliveryRow['status']; endpoint_id: string; enabled: boolean }>(
    `select d.status, d.endpoint_id, e.enabled from deliveries d join endpoints e on e.id = d.endpoint_id where d.id = $1 for update of d`,
    [id],
  );
  return rows[0];
}

/** A delivery's attempts, each with its full request body (rebuilt from the payload when not stored). */
export async function attemptsOf(db: Queryable, deliveryId: string): Promise<AttemptRow[]> {
  const { rows } = await db.query<AttemptRow>(
    `select delivery_id, attempt, url, request_headers, request_body, response_status, response_headers, response_body, duration_ms, outcome, error_class, error, created_at
       from delivery_attempts where delivery_id = $1 order by id`,
    [deliveryId],
  );
  return rows;
}

const EVENT_ENVELOPE_COLUMNS = 'ev.id, ev.type, ev.occurred_at, ev.received_at, ev.source, ev.caused_by, ev.chain, ev.subject, ev.data';

/**
 * Events of the given types received since `since` (and not before `notBefore`, the
 * endpoint's creation) that never became a delivery to the endpoint, oldest first.
 */
export async function eventsMissedBy(
  db: Queryable,
  endpoint: { id: string; createdAt: Date },
  since: string,
  types: { all: boolean; exact: string[]; prefixes: string[] },
  limit: number,
): Promise<({ id: string } & Record<string, unknown>)[]> {
  const { rows } = await db.query<{ id: string } & Record<string, unknown>>(
    `select ${EVENT_ENVELOPE_COLUMNS} from events ev
      where ev.received_at >= greatest($2::timestamptz, $3::timestamptz)
        and ($4 or ev.type = any($5::text[]) or split_part(ev.type, '.', 1) || '.' = any($6::text[]))
        and not exists (select 1 from deliveries d where d.endpoint_id = $1 and d.event_id = ev.id and d.run_id is null)
      order by ev.seq limit $7`,
    [endpoint.id, since, endpoint.createdAt, types.all, types.exact, types.prefixes, limit],
  );
  return rows;
}

/** Where a workflow step's delivery stands, for the step resuming on it. */
export async function deliveryOutcome(
  db: Queryable,
  id: string,
): Promise<{ status: DeliveryRow['status']; attempt_count: number; last_status_code: number | null; last_error: string | null } | undefined> {
  const { rows } = await db.query<{ status: DeliveryRow['status']; attempt_count: number; last_status_code: number | null; last_error: string | null }>(
    'select status, attempt_count, last_status_code, last_error from deliveries where id = $1',
    [id],
  );
  return rows[0];
}

/** Existing step deliveries by (run, node, iteration), keyed `run\0node\0iteration`. */
export async function stepDeliveryIds(db: Queryable, keys: { runId: string; nodeId: string; iteration: number }[]): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; run_id: string; node_id: string; iteration: number }>(
    `select d.id, d.run_id, d.node_id, d.iteration from deliveries d
       join unnest($1::text[], $2::text[], $3::int[]) as k(run_id, node_id, iteration)
         on d.run_id = k.run_id and d.node_id = k.node_id and d.iteration = k.iteration`,
    [keys.map((k) => k.runId), keys.map((k) => k.nodeId), keys.map((k) => k.iteration)],
  );
  return new Map(rows.map((r) => [`${r.run_id}\u0000${r.node_id}\u0000${r.iteration}`, r.id]));
}

/** Old deliveries that are finished (succeeded, failed, paused for good): a delivery in flight keeps its story. */
export async function oldFinishedDeliveryIds(db: Queryable, cutoff: string, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select id from deliveries where created_at < $1 and status not in ('pending', 'sending') limit $2`,
    [cutoff, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Reads for the Deliveries page: every endpoint's deliveries, newest first, filtered by
 * status, endpoint and event type, keyset-paged on seq (one index range scan per page:
 * deliveries_status_seq, deliveries_type_seq, deliveries_endpoint_*_seq). The delivery
 * machinery itself lives in server/src/delivery/; this only reads.
 */
export interface DeliveryListFilter {
  status?: string;
  endpointId?: string;
  eventType?: string;
  cursor?: string;
  limit: number;
}

export interface DeliveryListRow {
  id: string;
  seq: string;
  endpoint_id: string;
  endpoint_description: string | null;
  endpoint_url: string;
  event_id: string;
  event_type: string;
  run_id: string | null;
  node_id: string | null;
  status: string;
  attempt_count: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

/** One page and one row more when there is a next page. */
export async function listAllDeliveries(db: Queryable, q: DeliveryListFilter): Promise<DeliveryListRow[]> {
  const { rows } = await db.query<DeliveryListRow>(
    `select d.id, d.seq, d.endpoint_id, e.description as endpoint_description, e.url as endpoint_url, d.event_id, d.event_type, d.run_id,
            d.node_id, d.status, d.attempt_count, d.next_attempt_at, d.last_status_code, d.last_error, d.created_at, d.delivered_at
       from deliveries d join endpoints e on e.id = d.endpoint_id
      where ($1::bigint is null or d.seq < $1)
        and ($2::text is null or d.status = $2
             or ($2 = 'failing' and (d.status = 'failed' or (d.status in ('pending', 'sending') and d.attempt_count > 0 and d.last_error is not null))))
        and ($3::text is null or d.endpoint_id = $3) and ($4::text is null or d.event_type = $4)
      order by d.seq desc limit $5`,
    [q.cursor ?? null, q.status ?? null, q.endpointId ?? null, q.eventType ?? null, q.limit + 1],
  );
  return rows;
}
