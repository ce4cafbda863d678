import crypto from 'node:crypto';
import type { EventEnvelope } from '@tripline/shared';
import { eventCatalog, isEventType } from '@tripline/shared';
import type { PgBoss } from 'pg-boss';
import type { PoolClient } from '../db/pool.ts';
import { clientDb, sendJob } from '../queue/boss.ts';

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
 * Inserts events and their processing jobs in the caller's transaction, so an event is
 * never stored without the job that processes it. Ids already stored are skipped (the
 * duplicate is reported, not processed twice). Returns the ids that were new.
 */
export async function storeEvents(tx: PoolClient, boss: PgBoss, envelopes: EventEnvelope[]): Promise<Set<string>> {
  if (envelopes.length === 0) return new Set();
  const result = await tx.query<{ id: string }>(
    `insert into events (id, type, occurred_at, received_at, source, caused_by, chain, subject, data)
     select id, type, occurred_at, received_at, source, caused_by, chain_text::text[], subject, data
       from unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[])
         as e(id, type, occurred_at, received_at, source, caused_by, chain_text, subject, data)
     on conflict (id) do nothing
     returning id`,
    [
      envelopes.map((e) => e.id),
      envelopes.map((e) => e.type),
      envelopes.map((e) => e.occurredAt),
      envelopes.map((e) => e.receivedAt),
      envelopes.map((e) => e.source),
      envelopes.map((e) => e.causedBy),
      envelopes.map((e) => `{${e.chain.map((c) => `"${c}"`).join(',')}}`),
      envelopes.map((e) => e.subject),
      envelopes.map((e) => JSON.stringify(e.data)),
    ],
  );
  const inserted = new Set(result.rows.map((r) => r.id));
  if (inserted.size > 0) {
    const db = clientDb(tx);
    await boss.insert(
      'event.process',
      [...inserted].map((eventId) => ({ data: { eventId } })),
      { db },
    );
  }
  return inserted;
}

/** Stores one event Tripline emits itself (derived or system) inside the caller's transaction. */
export async function emitEvent(tx: PoolClient, boss: PgBoss, event: NewEvent): Promise<EventEnvelope> {
  const envelope = toEnvelope(event);
  await storeEvents(tx, boss, [envelope]);
  return envelope;
}

export { sendJob };
