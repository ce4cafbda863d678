import type { EventEnvelope } from '@tripline/shared';
import type { Queryable } from './queryable.ts';

/**
 * SQL of a source's connected mode (source_connections): the store URL and its encrypted
 * REST keys, the link's health, the webhooks Tripline registered, the backfill's progress
 * and resumable cursor, the reconcile pass's watermarks. Plus the one write the history
 * import needs beside the sources family: events stored as already processed.
 */

export interface ConnectionStatus {
  status: 'ok' | 'failing';
  checkedAt: string | null;
  error: string | null;
}
export interface WebhookInfo {
  id: number | null;
  topic: string;
  status: string;
}
export interface BackfillState {
  status: 'idle' | 'running' | 'completed' | 'failed';
  phase: 'customers' | 'orders' | 'products' | null;
  done: number;
  total: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  runWorkflows?: boolean;
}
export interface BackfillCursor {
  phase: 'customers' | 'orders' | 'products';
  page: number;
}
export interface ReconcileState {
  lastRunAt: string | null;
  watermark: Record<string, string | null>;
  recovered: number;
  error: string | null;
}

export interface ConnectionRow {
  source_id: string;
  store_url: string;
  /** From sources: the keys, each sealed (one place for them; the write-back node reads them there too). */
  consumer_key_enc: string;
  consumer_secret_enc: string;
  delivery_url: string;
  connection: ConnectionStatus;
  health: 'healthy' | 'degraded' | 'failing';
  webhooks: WebhookInfo[];
  backfill: BackfillState;
  backfill_cursor: BackfillCursor | null;
  reconcile: ReconcileState;
  created_at: Date;
}

export async function insertConnection(
  db: Queryable,
  c: {
    sourceId: string;
    storeUrl: string;
    consumerKeyEnc: string;
    consumerSecretEnc: string;
    deliveryUrl: string;
    webhooks: WebhookInfo[];
    connection: ConnectionStatus;
    reconcile: ReconcileState;
  },
): Promise<void> {
  await db.query('update sources set store_url = $2, consumer_key_enc = $3, consumer_secret_enc = $4 where id = $1', [c.sourceId, c.storeUrl, c.consumerKeyEnc, c.consumerSecretEnc]);
  await db.query(`insert into source_connections (source_id, store_url, delivery_url, webhooks, connection, reconcile) values ($1, $2, $3, $4, $5, $6)`, [
    c.sourceId,
    c.storeUrl,
    c.deliveryUrl,
    JSON.stringify(c.webhooks),
    JSON.stringify(c.connection),
    JSON.stringify(c.reconcile),
  ]);
}

const CONNECTION = `select c.*, s.consumer_key_enc, s.consumer_secret_enc from source_connections c join sources s on s.id = c.source_id`;

export async function findConnection(db: Queryable, sourceId: string, forUpdate = false): Promise<ConnectionRow | undefined> {
  const { rows } = await db.query<ConnectionRow>(`${CONNECTION} where c.source_id = $1${forUpdate ? ' for update of c' : ''}`, [sourceId]);
  return rows[0];
}

export async function listConnections(db: Queryable): Promise<ConnectionRow[]> {
  const { rows } = await db.query<ConnectionRow>(`${CONNECTION} order by c.created_at`);
  return rows;
}

/** Sources whose backfill was running when the process stopped: resumed at start-up. */
export async function runningBackfills(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ source_id: string }>(`select source_id from source_connections where backfill->>'status' = 'running'`);
  return rows.map((r) => r.source_id);
}

export async function setBackfill(db: Queryable, sourceId: string, backfill: BackfillState, cursor: BackfillCursor | null): Promise<void> {
  await db.query('update source_connections set backfill = $2, backfill_cursor = $3 where source_id = $1', [sourceId, JSON.stringify(backfill), cursor ? JSON.stringify(cursor) : null]);
}

/** Progress of one applied page, committed with the page's state: the cursor moves only with it. */
export async function advanceBackfill(db: Queryable, sourceId: string, added: number, cursor: BackfillCursor): Promise<void> {
  await db.query(
    `update source_connections
        set backfill = jsonb_set(jsonb_set(backfill, '{done}', to_jsonb((backfill->>'done')::int + $2)), '{phase}', to_jsonb($3::text)),
            backfill_cursor = $4
      where source_id = $1`,
    [sourceId, added, cursor.phase, JSON.stringify(cursor)],
  );
}

export async function setConnectionStatus(db: Queryable, sourceId: string, connection: ConnectionStatus): Promise<void> {
  await db.query('update source_connections set connection = $2 where source_id = $1', [sourceId, JSON.stringify(connection)]);
}

export async function setWebhooks(db: Queryable, sourceId: string, webhooks: WebhookInfo[]): Promise<void> {
  await db.query('update source_connections set webhooks = $2 where source_id = $1', [sourceId, JSON.stringify(webhooks)]);
}

export async function setHealth(db: Queryable, sourceId: string, health: ConnectionRow['health']): Promise<void> {
  await db.query('update source_connections set health = $2 where source_id = $1', [sourceId, health]);
}

export async function setReconcile(db: Queryable, sourceId: string, reconcile: ReconcileState): Promise<void> {
  await db.query('update source_connections set reconcile = $2 where source_id = $1', [sourceId, JSON.stringify(reconcile)]);
}

/** Adds to the reconcile pass's count of recovered changes and moves one resource's watermark. */
export async function advanceReconcile(db: Queryable, sourceId: string, resource: string, watermark: string | null, recovered: number): Promise<void> {
  await db.query(
    `update source_connections
        set reconcile = jsonb_set(jsonb_set(reconcile, array['watermark', $2::text], to_jsonb($3::text)), '{recovered}', to_jsonb(coalesce((reconcile->>'recovered')::int, 0) + $4))
      where source_id = $1`,
    [sourceId, resource, watermark, recovered],
  );
}

/**
 * Stores imported history as events already processed: they show in the event log with
 * the store's timestamps, but the outbox never claims them, so no workflow starts and no
 * webhook goes out for the past. Ids already stored are skipped.
 */
export async function insertHistoryEvents(db: Queryable, envelopes: EventEnvelope[]): Promise<number> {
  if (envelopes.length === 0) return 0;
  const { rowCount } = await db.query(
    `insert into events (id, type, occurred_at, received_at, source, caused_by, chain, subject, data, processed_at)
     select id, type, occurred_at, received_at, source, null, '{}', subject, data, now()
       from unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::jsonb[])
         as e(id, type, occurred_at, received_at, source, subject, data)
     on conflict (id) do nothing`,
    [
      envelopes.map((e) => e.id),
      envelopes.map((e) => e.type),
      envelopes.map((e) => e.occurredAt),
      envelopes.map((e) => e.receivedAt),
      envelopes.map((e) => e.source),
      envelopes.map((e) => e.subject),
      envelopes.map((e) => JSON.stringify(e.data)),
    ],
  );
  return rowCount ?? 0;
}

/** A session-level advisory lock on a held client: one backfill / reconcile per source at a time. */
export async function tryLock(db: Queryable, name: string): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [name]);
  return rows[0]!.ok;
}
export async function unlock(db: Queryable, name: string): Promise<void> {
  await db.query('select pg_advisory_unlock(hashtext($1))', [name]);
}
