import crypto from 'node:crypto';
import type { EventEnvelope } from '@tripline/shared';
import { eventCatalog, isEventType } from '@tripline/shared';
import type { PoolClient } from '../db/pool.ts';
import { insertEvents } from '../db/events.ts';
import { sendJob } from '../queue/boss.ts';

export interface NewEvent {
  id?: string;
  type: string;
  occurredAt?: string;
  source: string;
  causedBy?: EventEnvelope | null;
  data: Record<string, unknown>;
}

export function newEventId(): string {
  return `evt_${crypto.randomUUID().replaceAll('-', '')}`;
}

/** Builds the stored envelope: causation chain from the causing event, subject from the catalog. */
export function toEnvelope(event: NewEvent, receivedAt = new Date().toISOString()): EventEnvelope {
  const subject = isEventType(event.type) ? (eventCatalog[event.type].subject(event.data as never) ?? null) : null;
  return {
    id: event.id ?? newEventId(),
    type: event.type as EventEnvelope['type'],
    occurredAt: event.occurredAt ?? receivedAt,
    receivedAt,
    source: event.source,
    causedBy: event.causedBy?.id ?? null,
    chain: event.causedBy ? [...event.causedBy.chain, event.causedBy.id] : [],
    subject,
    data: event.data,
  };
}

/**
 * Inserts events in the caller's transaction; the events table is the processing queue
 * (an outbox), so a stored event is one a worker will claim: no job per event, one NOTIFY
 * per transaction wakes the workers at commit. Ids already stored are skipped (the
 * duplicate is reported, not processed twice). Returns the ids that were new.
 */
export async function storeEvents(tx: PoolClient, envelopes: EventEnvelope[]): Promise<Set<string>> {
  return insertEvents(tx, envelopes);
}

/** Stores one event Tripline emits itself (derived or system) inside the caller's transaction. */
export async function emitEvent(tx: PoolClient, event: NewEvent): Promise<EventEnvelope> {
  const envelope = toEnvelope(event);
  await storeEvents(tx, [envelope]);
  return envelope;
}

export { sendJob };
