import type { ApiErrorDetail, EventEnvelope } from '@tripline/shared';
import { eventCatalog, eventInputSchema, eventTypes, isEventType } from '@tripline/shared';
import { HttpError, zodDetails } from '../../http/errors.ts';
import { toEnvelope } from '../store-events.ts';

export const MAX_BATCH = 1000;
const rawEventTypes = eventTypes.filter((t) => eventCatalog[t].origin === 'raw');

/**
 * Turns a request body (one event or an array) into envelopes, or a 422 that names every
 * problem by its path: `[3].data.total` in a batch. A batch is accepted whole or not at all.
 */
export function parseEventBody(body: unknown, source: string): { envelopes: EventEnvelope[]; batch: boolean } {
  const batch = Array.isArray(body);
  const items: unknown[] = batch ? body : [body];
  if (items.length === 0) throw new HttpError(422, 'validation_failed', 'the batch is empty: send at least one event');
  if (items.length > MAX_BATCH) throw new HttpError(413, 'batch_too_large', `a batch holds at most ${MAX_BATCH} events; this one has ${items.length}`);
  const details: ApiErrorDetail[] = [];
  const envelopes: EventEnvelope[] = [];
  const receivedAt = new Date().toISOString();
  items.forEach((item, i) => {
    const prefix = batch ? [`[${i}]`] : [];
    const input = eventInputSchema.safeParse(item);
    if (!input.success) return void details.push(...zodDetails(input.error, prefix));
    const { type } = input.data;
    if (!isEventType(type)) {
      return void details.push({ path: [...prefix, 'type'].join('.'), message: `unknown event type "${type}"; known types: ${eventTypes.join(', ')}` });
    }
    const origin = eventCatalog[type].origin;
    if (origin !== 'raw') {
      // Derived and system events are Tripline's own conclusions (a customer's tier, a
      // campaign switched on): a client that could send them could trigger any workflow
      // for any customer. Tripline makes them; clients send what happened in the store.
      return void details.push({
        path: [...prefix, 'type'].join('.'),
        message: `"${type}" is a ${origin} event: Tripline makes it itself and does not accept it from clients; send the store's own events (${rawEventTypes.join(', ')})`,
      });
    }
    const data = eventCatalog[type].schema.safeParse(input.data.data);
    if (!data.success) return void details.push(...zodDetails(data.error, [...prefix, 'data']));
    envelopes.push(
      toEnvelope(
        { id: input.data.id, type, occurredAt: input.data.occurredAt && new Date(input.data.occurredAt).toISOString(), source, data: data.data as Record<string, unknown> },
        receivedAt,
      ),
    );
  });
  if (details.length) {
    const unknownType = details.find((d) => d.message.startsWith('unknown event type'));
    const notRaw = details.find((d) => / is a (derived|system) event/.test(d.message));
    const named = unknownType ?? notRaw;
    const summary = named ? named.message : `${details.length} problem(s): ${details.slice(0, 3).map((d) => `${d.path}: ${d.message}`).join('; ')}`;
    const code = unknownType ? 'unknown_event_type' : notRaw ? 'event_type_not_accepted' : 'validation_failed';
    throw new HttpError(422, code, summary, details.slice(0, 100));
  }
  const ids = new Set<string>();
  for (const [i, e] of envelopes.entries()) {
    if (ids.has(e.id)) throw new HttpError(422, 'validation_failed', `event id "${e.id}" appears twice in the batch`, [{ path: `[${i}].id`, message: 'duplicate id in batch' }]);
    ids.add(e.id);
  }
  return { envelopes, batch };
}
