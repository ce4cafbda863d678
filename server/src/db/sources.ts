import type { Queryable } from './queryable.ts';

/**
 * SQL of the sources family: connected stores (sources, their webhook secret encrypted),
 * the delivery keys that make their webhooks idempotent (source_deliveries) and the last
 * state seen per entity (source_entity_state), which maps updates to events.
 */

export interface SourceRow {
  id: string;
  kind: 'woocommerce';
  name: string;
  secret_enc: string;
  created_at: Date;
  last_received_at?: Date | null;
  /** Connected mode (REST API keys): the store's address. */
  store_url?: string | null;
}

/** Newest first, with when each last received a webhook. */
export async function listSources(db: Queryable): Promise<SourceRow[]> {
  const { rows } = await db.query<SourceRow>(
    `select s.*, (select max(received_at) from source_deliveries d where d.source_id = s.id) as last_received_at
       from sources s order by s.created_at desc`,
  );
  return rows;
}

export async function insertSource(db: Queryable, source: { id: string; kind: string; name: string; secretEnc: string }): Promise<SourceRow> {
  const { rows } = await db.query<SourceRow>('insert into sources (id, kind, name, secret_enc) values ($1, $2, $3, $4) returning *', [
    source.id,
    source.kind,
    source.name,
    source.secretEnc,
  ]);
  return rows[0]!;
}

export async function findSource(db: Queryable, id: string, forUpdate = false): Promise<SourceRow | undefined> {
  const { rows } = await db.query<SourceRow>(`select * from sources where id = $1${forUpdate ? ' for update' : ''}`, [id]);
  return rows[0];
}

export async function findSourceOfKind(db: Queryable, id: string, kind: SourceRow['kind']): Promise<SourceRow | undefined> {
  const { rows } = await db.query<SourceRow>(`select * from sources where id = $1 and kind = $2`, [id, kind]);
  return rows[0];
}

/** Its de-duplication keys and entity state go with it (on delete cascade); its events stay. */
export async function deleteSource(db: Queryable, id: string): Promise<void> {
  await db.query('delete from sources where id = $1', [id]);
}

export async function setSourceSecret(db: Queryable, id: string, secretEnc: string): Promise<SourceRow | undefined> {
  const { rows } = await db.query<SourceRow>('update sources set secret_enc = $2 where id = $1 returning *', [id, secretEnc]);
  return rows[0];
}

/** Records the delivery's keys; answers how many were new (all of them: a new delivery). */
export async function claimDeliveryKeys(db: Queryable, sourceId: string, keys: string[]): Promise<number> {
  const { rowCount } = await db.query(
    `insert into source_deliveries (source_id, delivery_id) select $1, k from unnest($2::text[]) as k on conflict do nothing returning delivery_id`,
    [sourceId, keys],
  );
  return rowCount ?? 0;
}

/** Deletes de-duplication keys older than the retention cutoff, in batches (called by the retention prune). */
export async function pruneSourceDeliveries(db: Queryable, cutoff: string): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(`delete from source_deliveries where ctid in (select ctid from source_deliveries where received_at < $1 limit 2000)`, [
      cutoff,
    ]);
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < 2000) return total;
  }
}

export interface EntityKey {
  sourceId: string;
  kind: string;
  entityId: string;
}

/**
 * The entity's last state (null the first time), locked until the transaction ends, so two
 * updates of one order are applied one after the other.
 */
export async function lockEntityState<S>(db: Queryable, key: EntityKey): Promise<S | null> {
  const values = [key.sourceId, key.kind, key.entityId];
  await db.query(`insert into source_entity_state (source_id, kind, entity_id, state) values ($1, $2, $3, 'null') on conflict do nothing`, values);
  const { rows } = await db.query<{ state: S | null }>('select state from source_entity_state where source_id = $1 and kind = $2 and entity_id = $3 for update', values);
  return rows[0]?.state ?? null;
}

export async function saveEntityState(db: Queryable, key: EntityKey, state: unknown): Promise<void> {
  await db.query('update source_entity_state set state = $4, updated_at = now() where source_id = $1 and kind = $2 and entity_id = $3', [
    key.sourceId,
    key.kind,
    key.entityId,
    JSON.stringify(state),
  ]);
}
