import net from 'node:net';
import type { AppContext } from '../../context.ts';
import type { ConnectionRow, WebhookInfo } from '../../db/source-sync.ts';
import { HttpError } from '../../http/errors.ts';
import { WOOCOMMERCE_TOPICS } from '../woocommerce-map.ts';
import { checkStoreUrl, normaliseStoreUrl, WooClient, type WooError } from './rest-client.ts';

/**
 * Connecting a store with its REST API keys: every check answers a 422 that says what is
 * wrong and where to fix it, in the order a person would look (the URL, the store, the
 * keys, their permissions). Nothing is stored until all pass.
 */

export interface StoreKeys {
  consumerKey: string;
  consumerSecret: string;
}

/** Name of the webhooks Tripline registers: recognisable in WooCommerce's webhook list. */
export function webhookName(sourceId: string, topic: string): string {
  return `Tripline ${topic} (${sourceId})`;
}

export function clientFor(ctx: AppContext, storeUrl: string, keys: StoreKeys, opts: { retries?: number; baseDelayMs?: number } = {}): WooClient {
  return new WooClient({ storeUrl, ...keys }, { allowPrivate: ctx.config.allowPrivateTargets, ...opts });
}

/** The client of a connected source, its keys decrypted for the call only. */
export function connectedClient(ctx: AppContext, row: ConnectionRow, opts: { retries?: number; baseDelayMs?: number } = {}): WooClient {
  const keys = { consumerKey: ctx.secrets.decrypt(row.consumer_key_enc), consumerSecret: ctx.secrets.decrypt(row.consumer_secret_enc) };
  return clientFor(ctx, row.store_url, keys, opts);
}

function fail(code: string, field: string, message: string): HttpError {
  return new HttpError(422, code, message, [{ path: field, message }]);
}

/** What a WooCommerce error means for the person connecting. */
export function connectError(e: WooError, storeUrl: string): HttpError {
  switch (e.kind) {
    case 'unreachable':
    case 'rate_limited':
    case 'server_error':
      return fail('store_unreachable', 'storeUrl', `The store at ${storeUrl} cannot be reached: ${e.message}`);
    case 'blocked':
      return fail('store_url_refused', 'storeUrl', `The store URL is refused: ${e.message}`);
    case 'not_woocommerce':
    case 'not_found':
      return fail('not_woocommerce', 'storeUrl', `${storeUrl} is not a WooCommerce store with the REST API enabled (WordPress answers, but no /wp-json/wc/v3): ${e.message}`);
    case 'keys_refused':
      return fail('keys_refused', 'consumerKey', `The store refused the keys: ${e.message}. Check the consumer key and secret in WooCommerce → Settings → Advanced → REST API`);
    case 'keys_read_only':
      return fail('keys_read_only', 'consumerKey', 'The keys are read-only: Tripline registers webhooks and writes campaigns to the store. Edit the key in WooCommerce → Settings → Advanced → REST API and give it Read/Write permission');
    default:
      return fail('store_refused', 'storeUrl', `The store refused the request: ${e.message}`);
  }
}

function isThisMachine(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  return h === '::1';
}

/**
 * Where the store will send webhooks: TRIPLINE_PUBLIC_URL + the delivery path. Without it,
 * only a store on this machine can be connected (it reaches Tripline the way the person's
 * browser or client did).
 */
export function deliveryBase(ctx: AppContext, storeUrl: string, requestOrigin: string): string {
  if (ctx.config.publicUrl) return ctx.config.publicUrl;
  let host: string;
  try {
    host = new URL(normaliseStoreUrl(storeUrl)).hostname;
  } catch {
    throw fail('store_url_refused', 'storeUrl', 'The store URL is not a valid URL');
  }
  if (!isThisMachine(host)) {
    throw fail(
      'public_url_missing',
      'storeUrl',
      'TRIPLINE_PUBLIC_URL is not set, so the store would have no address to send its webhooks to. Set it to the address the store can reach Tripline at (for example https://tripline.example.com) and restart',
    );
  }
  return requestOrigin;
}

/** Checks URL, store and keys; answers the normalised URL and a client ready to use. */
export async function checkStore(ctx: AppContext, input: { storeUrl: string } & StoreKeys): Promise<{ storeUrl: string; client: WooClient }> {
  const url = await checkStoreUrl(input.storeUrl, ctx.config.allowPrivateTargets);
  if (!url.ok) throw fail('store_url_refused', 'storeUrl', `The store URL ${url.reason}`);
  // Connecting is interactive: two quick retries, not the backfill's patience.
  const client = clientFor(ctx, url.url, input, { retries: 1, baseDelayMs: 250 });
  const found = await client.discover();
  if (!found.ok) throw connectError(found.error, url.url);
  const read = await client.get('/webhooks', { per_page: 1 });
  if (!read.ok) throw connectError(read.error, url.url);
  return { storeUrl: url.url, client };
}

/**
 * Registers one webhook per mapped topic (API version v3 since they are made through
 * /wc/v3), signed with the source's secret. All or nothing: on a failure the ones made are
 * removed again. The first write is where read-only keys show.
 */
export async function registerWebhooks(client: WooClient, sourceId: string, deliveryUrl: string, secret: string, storeUrl: string): Promise<WebhookInfo[]> {
  const made: WebhookInfo[] = [];
  for (const topic of WOOCOMMERCE_TOPICS) {
    const r = await client.post<{ id: number; status: string; topic: string }>('/webhooks', { name: webhookName(sourceId, topic), topic, delivery_url: deliveryUrl, secret, status: 'active' }, { retry: false });
    if (!r.ok) {
      await removeWebhooks(client, made);
      throw connectError(r.error, storeUrl);
    }
    made.push({ id: r.data.id, topic, status: r.data.status });
  }
  return made;
}

/** Deletes the webhooks Tripline registered; answers the ones it could not remove. */
export async function removeWebhooks(client: WooClient, webhooks: WebhookInfo[]): Promise<{ id: number | null; topic: string; error: string }[]> {
  const failed: { id: number | null; topic: string; error: string }[] = [];
  for (const w of webhooks) {
    if (w.id === null) continue;
    const r = await client.delete(`/webhooks/${w.id}`, { force: true }, { retry: false });
    if (!r.ok && r.error.kind !== 'not_found') failed.push({ id: w.id, topic: w.topic, error: r.error.message });
  }
  return failed;
}
