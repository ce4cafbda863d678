import type { PoolClient } from '../db/pool.ts';
import { DUE_CHANNEL } from './deliveries-data.ts';
import { DELIVERY_COLUMNS, type DeliveryRow } from './endpoints-store.ts';
import { storedPayloadSql } from './lean-storage.ts';

/**
 * The statements that create deliveries (fan-out of events to subscribed endpoints, the
 * deliveries of workflow webhook steps, tests and replays of missed events): the rows the
 * queue in deliveries-data.ts then claims and settles.
 */

type Db = Pick<PoolClient, 'query'>;

export interface NewDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  runId: string | null;
  nodeId: string | null;
  payload: string;
  acceptedAt: string | null;
  /** A workflow step's for_each iteration; -1 (the default) outside a loop and for subscriptions. */
  iteration?: number;
}

/**
 * One multi-row insert, and one NOTIFY when any row was new (PostgreSQL folds identical
 * notifications of a transaction and sends them at commit): one statement for both. A
 * (endpoint, event) or (run, node, iteration) already delivered is skipped, and so is a row
 * whose endpoint does not exist or is disabled (the caller asks why only for those).
 */
export async function insertDeliveries(tx: Db, rows: NewDelivery[]): Promise<(DeliveryRow & { iteration: number })[]> {
  if (rows.length === 0) return [];
  const { rows: inserted } = await tx.query<DeliveryRow & { iteration: number }>(
    `with ins as (
       insert into deliveries (id, endpoint_id, event_id, event_type, run_id, node_id, payload, accepted_at, status, next_attempt_at, iteration)
       select t.id, t.endpoint_id, t.event_id, t.event_type, t.run_id, t.node_id, ${storedPayloadSql('t.event_id', 't.payload')}, t.accepted_at, 'pending', now(), t.iteration
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::timestamptz[], $9::int[])
           as t(id, endpoint_id, event_id, event_type, run_id, node_id, payload, accepted_at, iteration)
        where exists (select 1 from endpoints e where e.id = t.endpoint_id and e.enabled)
       on conflict do nothing
       returning ${DELIVERY_COLUMNS}, iteration
     )
     select ins.* from ins, (select pg_notify('${DUE_CHANNEL}', '') from (select 1 from ins limit 1) one) wake`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.endpointId),
      rows.map((r) => r.eventId),
      rows.map((r) => r.eventType),
      rows.map((r) => r.runId),
      rows.map((r) => r.nodeId),
      rows.map((r) => r.payload),
      rows.map((r) => r.acceptedAt),
      rows.map((r) => r.iteration ?? -1),
    ],
  );
  return inserted;
}

/** The enabled endpoints subscribed to any of these patterns, with their filters: one index lookup. */
export async function subscribedEndpoints(tx: Db, patterns: string[]): Promise<{ id: string; event_types: string[]; filter: unknown }[]> {
  const { rows } = await tx.query<{ id: string; event_types: string[]; filter: unknown }>(
    `select id, event_types, filter from endpoints where enabled and event_types && $1::text[]`,
    [patterns],
  );
  return rows;
}

export async function endpointsEnabled(tx: Db, ids: string[]): Promise<Map<string, boolean>> {
  const { rows } = await tx.query<{ id: string; enabled: boolean }>(`select id, enabled from endpoints where id = any($1::text[])`, [ids]);
  return new Map(rows.map((r) => [r.id, r.enabled]));
}

/** Existing step deliveries by (run, node, iteration), keyed `run\0node\0iteration`. */
export async function stepDeliveryIds(tx: Db, keys: { runId: string; nodeId: string; iteration: number }[]): Promise<Map<string, string>> {
  const { rows } = await tx.query<{ id: string; run_id: string; node_id: string; iteration: number }>(
    `select d.id, d.run_id, d.node_id, d.iteration from deliveries d
       join unnest($1::text[], $2::text[], $3::int[]) as k(run_id, node_id, iteration)
         on d.run_id = k.run_id and d.node_id = k.node_id and d.iteration = k.iteration`,
    [keys.map((k) => k.runId), keys.map((k) => k.nodeId), keys.map((k) => k.iteration)],
  );
  return new Map(rows.map((r) => [`${r.run_id}\u0000${r.node_id}\u0000${r.iteration}`, r.id]));
}
