import type { EventEnvelope } from '@tripline/shared';
import { EVENT_COLUMNS, loadEventById, rowToEnvelope, type Queryable } from '../db/events.ts';

export { EVENT_COLUMNS, rowToEnvelope };

export async function loadEvent(db: Queryable | { query: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }> }, id: string): Promise<EventEnvelope | undefined> {
  return loadEventById(db as Queryable, id);
}
