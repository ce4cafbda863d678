import type { Queryable } from './queryable.ts';

/** SQL of Tripline's writes into connected stores: the store's keys, campaign store effects. */

export interface StoreCredentialsRow {
  id: string;
  kind: string;
  store_url: string | null;
  consumer_key_enc: string | null;
  consumer_secret_enc: string | null;
}

export async function findStoreCredentials(db: Queryable, sourceId: string): Promise<StoreCredentialsRow | undefined> {
  const { rows } = await db.query<StoreCredentialsRow>('select id, kind, store_url, consumer_key_enc, consumer_secret_enc from sources where id = $1', [sourceId]);
  return rows[0];
}
