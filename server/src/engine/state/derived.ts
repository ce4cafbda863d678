import type { EventEnvelope } from '@tripline/shared';
import type { NewEvent } from '../store-events.ts';

/**
 * A derived event: its id is a function of the cause and what changed, so reprocessing
 * the same cause (a retried job) yields the same id and the insert is a no-op.
 */
export function derive(cause: EventEnvelope, suffix: string, type: string, data: Record<string, unknown>): NewEvent {
  return {
    id: `${cause.id}~${suffix}`.slice(0, 200),
    type,
    occurredAt: cause.occurredAt,
    source: 'tripline',
    causedBy: cause,
    data,
  };
}
