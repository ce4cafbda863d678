import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStoreUrl, WooClient } from '../../src/sources/woocommerce/rest-client.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { startWooEmulator, type WooEmulator } from '../support/woocommerce-emulator.ts';

/** The REST client against the emulator: no database needed, real HTTP on loopback. */

let store: WooEmulator;
let secure: WooEmulator;
let keys: { consumerKey: string; consumerSecret: string };

beforeAll(async () => {
  store = await startWooEmulator();
  secure = await startWooEmulator({ https: true });
  keys = store.addKey('read_write');
});
afterAll(async () => {
  await store?.close();
  await secure?.close();
});

function client(emulator: WooEmulator, k = keys, extra: Partial<ConstructorParameters<typeof WooClient>[1]> = {}) {
  return new WooClient({ storeUrl: emulator.url, ...k }, { allowPrivate: true, baseDelayMs: 10, ca: emulator.certificate, ...extra });
}

describe('WooCommerce REST client and emulator', () => {
  it('signs with OAuth 1.0a over http and with Basic auth over https; wrong keys are refused', async () => {
    store.createCustomer({ email: 'ann@example.com', first_name: 'Ann' });
    const ok = await client(store).get<any[]>('/customers', { email: 'ann@example.com' });
    expect(ok.ok && ok.data[0].first_name).toBe('Ann');
    expect(store.requests.at(-1)!.auth).toBe('oauth');

    const wrong = await client(store, { consumerKey: keys.consumerKey, consumerSecret: 'cs_wrong' }).get('/customers');
    expect(!wrong.ok && wrong.error).toMatchObject({ kind: 'keys_refused', status: 401, code: 'woocommerce_rest_authentication_error' });

    const k = secure.addKey('read_write');
    secure.createProduct({ sku: 'TEE', stock_quantity: 4 });
    const viaTls = await client(secure, k).get<any[]>('/products', { sku: 'TEE' });
    expect(viaTls.ok && viaTls.data[0].stock_quantity).toBe(4);
    expect(secure.requests.at(-1)!.auth).toBe('basic');
  });

  it('signs query strings with characters that need encoding (modified_after dates, commas)', async () => {
    const r = await client(store).get<any[]>('/orders', { modified_after: '2020-01-01T00:00:00', status: 'processing,completed', orderby: 'modified', order: 'asc' });
    expect(r.ok).toBe(true);
  });

  it('tells read-only keys apart from refused keys', async () => {
    const readOnly = client(store, store.addKey('read'));
    expect((await readOnly.get('/orders')).ok).toBe(true);
    const write = await readOnly.post('/coupons', { code: 'nope', amount: '5' });
    expect(!write.ok && write.error.kind).toBe('keys_read_only');
  });

  it('discovers WooCommerce at the URL, or says it is not there', async () => {
    expect((await client(store).discover()).ok).toBe(true);
    const receiver: Receiver = await startReceiver(404);
    try {
      const other = new WooClient({ storeUrl: new URL(receiver.url).origin, ...keys }, { allowPrivate: true, retries: 0 });
      const r = await other.discover();
      expect(!r.ok && r.error.kind).toBe('not_woocommerce');
    } finally {
      await receiver.close();
    }
    const closed = new WooClient({ storeUrl: 'http://127.0.0.1:9', ...keys }, { allowPrivate: true, retries: 0 });
    const down = await closed.discover();
    expect(!down.ok && down.error.kind).toBe('unreachable');
  });

  it('pages with X-WP-Total / X-WP-TotalPages, refuses per_page above 100, orders by date', async () => {
    for (let i = 0; i < 230; i++) store.createOrder({ status: 'completed', total: 10, date_created_gmt: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString().slice(0, 19) }, { silent: true });
    const first = await client(store).listPage<any>('orders', { orderby: 'date', order: 'asc' }, 1);
    expect(first.ok && [first.total, first.totalPages, first.data.length]).toEqual([230, 3, 100]);
    const seen: number[] = [];
    for await (const page of client(store).pages<any>('orders', { orderby: 'date', order: 'asc' })) {
      expect(page.ok).toBe(true);
      if (page.ok) seen.push(...page.data.map((o) => o.id));
    }
    expect(new Set(seen).size).toBe(230);
    const tooMany = await client(store).get('/orders', { per_page: 101 });
    expect(!tooMany.ok && tooMany.error).toMatchObject({ kind: 'rejected', status: 400, code: 'rest_invalid_param' });
  });

  it('retries 429 honouring Retry-After and 5xx with backoff', async () => {
    const retries: number[] = [];
    store.rateLimitNext(2, 0);
    const r = await client(store, keys, { onRetry: (i) => retries.push(i.error.status!) }).get('/products');
    expect(r.ok).toBe(true);
    expect(retries).toEqual([429, 429]);
    store.failNext(1, 503);
    expect((await client(store).get('/products')).ok).toBe(true);
    store.failNext(5, 500);
    const gaveUp = await client(store, keys, { retries: 1 }).get('/products');
    expect(!gaveUp.ok && gaveUp.error.kind).toBe('server_error');
    store.failNext(0);
  });

  it('batches in calls of at most 100 objects; the store refuses more', async () => {
    const create = Array.from({ length: 150 }, (_, i) => ({ code: `batch-${i}`, amount: '5', discount_type: 'percent' }));
    const r = await client(store).batch<any>('coupons', { create });
    expect(r.ok && r.data.create.length).toBe(150);
    const direct = await client(store).post('/coupons/batch', { create: create.map((c) => ({ ...c, code: `${c.code}-x` })).concat([{ code: 'one-more', amount: '1', discount_type: 'percent' }]) });
    expect(!direct.ok && direct.error).toMatchObject({ status: 413, code: 'woocommerce_rest_request_entity_too_large' });
  });

  it('delivers webhooks with WooCommerce headers and signature, and disables one after 5 failures', async () => {
    const receiver = await startReceiver(200);
    try {
      const c = client(store);
      const hook = await c.post<any>('/webhooks', { name: 'Tripline', topic: 'order.created', delivery_url: receiver.url, secret: 's3cret', status: 'active' });
      expect(hook.ok && hook.data).toMatchObject({ topic: 'order.created', status: 'active', delivery_url: receiver.url });
      const order = store.createOrder({ status: 'processing', total: 20, billing: { email: 'x@example.com' } });
      await store.idle();
      const delivery = receiver.requests.find((r) => r.headers['x-wc-webhook-topic'] === 'order.created')!;
      expect(delivery.headers).toMatchObject({ 'x-wc-webhook-resource': 'order', 'x-wc-webhook-event': 'created', 'x-wc-webhook-id': String(hook.ok && hook.data.id) });
      expect(delivery.headers['x-wc-webhook-signature']).toBe(crypto.createHmac('sha256', 's3cret').update(delivery.body).digest('base64'));
      expect(JSON.parse(delivery.body).id).toBe(order.id);

      receiver.status = 500;
      for (let i = 0; i < 5; i++) store.createOrder({ status: 'pending' });
      await store.idle();
      const after = await c.get<any>(`/webhooks/${hook.ok && hook.data.id}`);
      expect(after.ok && after.data.status).toBe('disabled');
      const del = await c.delete(`/webhooks/${hook.ok && hook.data.id}`);
      expect(del.ok).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('the store URL passes the SSRF guard: loopback only when private targets are allowed', async () => {
    expect(await checkStoreUrl(store.url, false)).toMatchObject({ ok: false });
    expect(await checkStoreUrl(store.url, true)).toMatchObject({ ok: true });
    expect(await checkStoreUrl('http://169.254.169.254/', false)).toMatchObject({ ok: false });
    const blocked = await new WooClient({ storeUrl: store.url, ...keys }, { allowPrivate: false, retries: 0 }).get('/orders');
    expect(!blocked.ok && blocked.error.kind).toBe('blocked');
  });
});
