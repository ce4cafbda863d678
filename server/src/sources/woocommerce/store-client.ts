import type { AppContext } from '../../context.ts';
import type { Queryable } from '../../db/queryable.ts';
import { findStoreCredentials } from '../../db/woocommerce-writes.ts';
import { WooClient } from './rest-client.ts';

/**
 * A REST client for a connected store, for writing to it: its keys decrypted only here, in
 * memory, for the call. A source without keys (the manual webhook mode) cannot be written to.
 * The client does not retry by itself: callers retry durably (a parked run, a job).
 */
export async function storeClient(app: Pick<AppContext, 'config' | 'secrets'>, db: Queryable, sourceId: string): Promise<{ ok: true; client: WooClient } | { ok: false; error: string }> {
  const source = await findStoreCredentials(db, sourceId);
  if (!source) return { ok: false, error: `source "${sourceId}" does not exist` };
  if (source.kind !== 'woocommerce') return { ok: false, error: `source "${sourceId}" is not a WooCommerce store` };
  if (!source.store_url || !source.consumer_key_enc || !source.consumer_secret_enc) {
    return { ok: false, error: `source "${sourceId}" is not connected with REST API keys (manual webhooks only): connect it with its store URL and read/write keys to write to the store` };
  }
  const client = new WooClient(
    { storeUrl: source.store_url, consumerKey: app.secrets.decrypt(source.consumer_key_enc), consumerSecret: app.secrets.decrypt(source.consumer_secret_enc) },
    { allowPrivate: app.config.allowPrivateTargets, retries: 0, timeoutMs: 20_000 },
  );
  return { ok: true, client };
}
