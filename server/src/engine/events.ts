import type { EventEnvelope } from '@tripline/shared';
import { EVENT_COLUMNS, loadEventById, rowToEnvelope } from '../db/events.ts';
import type { Queryable } from '../db/queryable.ts';

export { EVENT_COLUMNS, rowToEnvelope };

export async function loadEvent(db: Queryable | { query: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }> }, id: string): Promise<EventEnvelope | undefined> {
  return loadEventById(db as Queryable, id);
}
