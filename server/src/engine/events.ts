import type { EventEnvelope } from '@tripline/shared';

interface Queryable {
  query: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>;
}

interface EventRow {
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

export const EVENT_COLUMNS = 'id, type, occurred_at, received_at, source, caused_by, chain, subject, data';

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

export async function loadEvent(db: Queryable, id: string): Promise<EventEnvelope | undefined> {
  const { rows } = await db.query(`select ${EVENT_COLUMNS} from events where id = $1`, [id]);
  return rows[0] ? rowToEnvelope(rows[0] as EventRow) : undefined;
}
