import type { Queryable } from '../db/queryable.ts';
import { deliveryPayloadSql } from './lean-storage.ts';
import { DELIVERY_COLUMNS, type DeliveryRow } from './endpoints-store.ts';

/**
 * Reads of deliveries (and of the events an endpoint missed) for the endpoints API and the
 * portal. The worker's claims and writes are in deliveries-data.ts.
 */

export interface DeliveryFilter {
  cursor?: string;
  status?: string;
  eventType?: string;
  since?: string;
  until?: string;
  limit: number;
}

/** A page of an endpoint's deliveries, newest first, and one more row when there is a next page. */
export async function deliveriesOfEndpoint(db: Queryable, endpointId: string, q: DeliveryFilter): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `select ${DELIVERY_COLUMNS} from deliveries
      where endpoint_id = $1 and ($2::bigint is null or seq < $2) and ($3::text is null or status = $3) and ($4::text is null or event_type = $4)
        and ($6::timestamptz is null or created_at >= $6) and ($7::timestamptz is null or created_at < $7)
      order by seq desc limit $5`,
    [endpointId, q.cursor ?? null, q.status ?? null, q.eventType ?? null, q.limit + 1, q.since ?? null, q.until ?? null],
  );
  return rows;
}

export async function findDeliveryWithPayload(db: Queryable, id: string): Promise<DeliveryRow | undefined> {
  const { rows } = await db.query<DeliveryRow>(`select ${DELIVERY_COLUMNS}, ${deliveryPayloadSql('deliveries')} as payload from deliveries where id = $1`, [id]);
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
