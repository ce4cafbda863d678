import type { AppContext } from '../../context.ts';
import type { Queryable } from '../../db/queryable.ts';
import { findConnection } from '../../db/source-sync.ts';
import { findSource } from '../../db/sources.ts';
import { connectedClient } from './connect.ts';
import type { WooClient } from './rest-client.ts';

/**
 * A REST client for writing to a connected store (its keys decrypted for the call only). A
 * source without keys (the manual webhook mode) cannot be written to. The client does not
 * retry by itself: writers retry durably (a parked run, a job's retries).
 */
export async function storeClient(app: AppContext, db: Queryable, sourceId: string): Promise<{ ok: true; client: WooClient } | { ok: false; error: string }> {
  const source = await findSource(db, sourceId);
  if (!source) return { ok: false, error: `source "${sourceId}" does not exist` };
  const connection = await findConnection(db, sourceId);
  if (!connection) {
    return { ok: false, error: `source "${sourceId}" is not connected with REST API keys (manual webhooks only): connect it with its store URL and read/write keys to write to the store` };
  }
  return { ok: true, client: connectedClient(app, connection, { retries: 0 }) };
}
