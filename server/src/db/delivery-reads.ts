import type { Queryable } from './queryable.ts';

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
