import crypto from 'node:crypto';
import type { EventEnvelope } from '@tripline/shared';
import type { NewEvent } from '../store-events.ts';

/**
 * A derived event: its id is a function of the cause and what changed, so reprocessing
 * the same cause (a retried job) yields the same id and the insert is a no-op.
 */
export function derive(cause: EventEnvelope, suffix: string, type: string, data: Record<string, unknown>): NewEvent {
  return {
    id: derivedId(cause.id, suffix),
    type,
    occurredAt: cause.occurredAt,
    source: 'tripline',
    causedBy: cause,
    data,
  };
}

const MAX_ID = 200;

/**
 * `<cause>~<what changed>` while it fits (readable in the console); beyond 200 characters a
 * prefix plus a hash of the whole, so two derived events of one cause never share an id
 * (cutting the string made them collide, and the second was dropped as a duplicate).
 */
export function derivedId(causeId: string, suffix: string): string {
  const full = `${causeId}~${suffix}`;
  if (full.length <= MAX_ID) return full;
  const hash = crypto.createHash('sha256').update(full).digest('hex').slice(0, 40);
  return `${full.slice(0, MAX_ID - 42)}~h${hash}`;
}
