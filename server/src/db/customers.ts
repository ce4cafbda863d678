import { DELIVERY_COLUMNS, type DeliveryRow } from './delivery-reads.ts';
import type { Queryable } from './queryable.ts';

/**
 * How far back the deliveries of a customer are looked for: the events about them are found
 * by subject (events_subject_seq), their deliveries by event id (deliveries_event), so the
 * read stays two index scans however many events the store holds.
 */
const RECENT_EVENTS_SCANNED = 200;

/** Deliveries (subscriptions and webhook steps) of the events about a customer, newest first. */
export async function deliveriesAboutSubject(db: Queryable, subject: string, limit: number): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `select ${DELIVERY_COLUMNS} from deliveries
      where event_id in (select id from events where subject = $1 order by seq desc limit $3)
      order by seq desc limit $2`,
    [subject, limit, RECENT_EVENTS_SCANNED],
  );
  return rows;
}
