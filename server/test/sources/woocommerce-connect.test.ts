import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, publishWorkflow } from '../support/engine.ts';
import { startReceiver } from '../support/receiver.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { startWooEmulator, type WooEmulator } from '../support/woocommerce-emulator.ts';

/** Connecting a WooCommerce store with REST API keys (issue 24, points 1 and 2). */

let t: TestTripline;
let store: WooEmulator;

beforeAll(async () => {
  t = await startTestTripline();
  store = await startWooEmulator();
});
afterAll(async () => {
  await store?.close();
  await t?.stop();
});

async function connect(body: Record<string, unknown>) {
  return t.api('/api/v1/sources', { method: 'POST', json: { kind: 'woocommerce', name: 'Shop', ...body } });
}

describe('connecting a store', () => {
  it('checks the keys, registers one webhook per topic at the delivery path with the source secret, stores the keys sealed, and shows the link', async () => {
    const keys = store.addKey('read_write');
    const res = await connect({ storeUrl: store.url, ...keys });
    expect(res.status).toBe(201);
    const source = await json(res);
    expect(source).toMatchObject({ kind: 'woocommerce', storeUrl: store.url, deliveryPath: `/api/v1/ingest/woocommerce/${source.id}` });
    expect(JSON.stringify(source)).not.toContain(keys.consumerSecret);

    const hooks = [...store.webhooks.values()];
    expect(hooks.map((w) => w.topic).sort()).toEqual(['customer.created', 'customer.updated', 'order.created', 'order.updated', 'product.created', 'product.updated']);
    for (const w of hooks) {
      expect(w.delivery_url).toBe(`${t.url}${source.deliveryPath}`);
      expect(w.secret).toBe(source.secret);
      expect(w.status).toBe('active');
    }

    // The keys are sealed at rest and never answered or audited.
    const { rows } = await t.ctx.pool.query(`select consumer_key_enc, consumer_secret_enc, store_url from sources where id = $1`, [source.id]);
    expect(rows[0]).toMatchObject({ store_url: store.url, consumer_secret_enc: expect.any(String) });
    expect(JSON.stringify(rows[0])).not.toContain(keys.consumerSecret);
    expect(t.ctx.secrets.decrypt(rows[0].consumer_secret_enc)).toBe(keys.consumerSecret);
    const audit = await t.ctx.pool.query(`select action, after::text from audit_log where target_id = $1`, [source.id]);
    expect(audit.rows.map((r) => r.action)).toContain('source.connect');
    expect(JSON.stringify(audit.rows)).not.toContain(keys.consumerSecret);

    // A change in the store now reaches Tripline through the registered webhook, signed.
    store.createOrder({ status: 'processing', total: 42, billing: { email: 'first@example.com' } });
    await store.idle();
    await eventually(async () => {
      const r = await t.ctx.pool.query(`select type from events where source = $1 and type = 'order.paid'`, [`woocommerce:${source.id}`]);
      return r.rowCount === 1;
    }, 'the order webhook became order.paid');

    const detail = await json(t.api(`/api/v1/sources/${source.id}`));
    expect(detail).toMatchObject({
      connected: true,
      storeUrl: store.url,
      connection: { status: 'ok', error: null },
      backfill: { status: expect.stringMatching(/running|completed/) },
      reconcile: { watermark: expect.any(Object), recovered: 0 },
    });
    expect(detail.webhooks).toHaveLength(6);
    expect(detail.webhooks.every((w: { status: string }) => w.status === 'active')).toBe(true);
    expect(JSON.stringify(detail)).not.toContain(keys.consumerSecret);
    await eventually(async () => (await json(t.api(`/api/v1/sources/${source.id}`))).backfill.status === 'completed', 'backfill of the empty store completed');

    // Deleting the source removes the webhooks it registered in the store.
    expect((await t.api(`/api/v1/sources/${source.id}`, { method: 'DELETE' })).status).toBe(204);
    expect([...store.webhooks.values()].filter((w) => w.delivery_url.includes(source.id))).toEqual([]);
  });

  it('answers a clear 422 for each thing that can be wrong, and stores nothing', async () => {
    const before = (await json(t.api('/api/v1/sources'))).data.length;
    const webhooksBefore = store.webhooks.size;

    const refused = await json(connect({ storeUrl: store.url, consumerKey: 'ck_unknown', consumerSecret: 'cs_unknown' }));
    expect(refused.error).toMatchObject({ code: 'keys_refused', details: [{ path: 'consumerKey' }] });

    const good = store.addKey('read_write');
    const wrongSecret = await json(connect({ storeUrl: store.url, consumerKey: good.consumerKey, consumerSecret: 'cs_wrong' }));
    expect(wrongSecret.error.code).toBe('keys_refused');

    const readOnly = await connect({ storeUrl: store.url, ...store.addKey('read') });
    expect(readOnly.status).toBe(422);
    expect((await json(readOnly)).error).toMatchObject({ code: 'keys_read_only', message: expect.stringContaining('Read/Write') });

    const unreachable = await json(connect({ storeUrl: 'http://127.0.0.1:9', ...good }));
    expect(unreachable.error).toMatchObject({ code: 'store_unreachable', details: [{ path: 'storeUrl' }] });

    const site = await startReceiver(404);
    try {
      const notWoo = await json(connect({ storeUrl: new URL(site.url).origin, ...good }));
      expect(notWoo.error.code).toBe('not_woocommerce');
    } finally {
      await site.close();
    }

    // The SSRF guard endpoints use (private targets are allowed in tests, other schemes never).
    const ftp = await json(connect({ storeUrl: 'ftp://127.0.0.1:21', ...good }));
    expect(ftp.error).toMatchObject({ code: 'store_url_refused', message: expect.stringContaining('http or https') });

    const missing = await connect({ storeUrl: store.url, consumerKey: good.consumerKey });
    expect(missing.status).toBe(422);
    expect(JSON.stringify(await json(missing))).toContain('consumerSecret');

    expect((await json(t.api('/api/v1/sources'))).data.length).toBe(before);
    expect(store.webhooks.size).toBe(webhooksBefore);
  });

  it('refuses to connect a store elsewhere when TRIPLINE_PUBLIC_URL is unset', async () => {
    // Checked before the store is contacted: a store elsewhere could never deliver its webhooks.
    const res = await json(connect({ storeUrl: 'https://shop.example.com', consumerKey: 'ck_x', consumerSecret: 'cs_x' }));
    expect(res.error).toMatchObject({ code: 'public_url_missing', message: expect.stringContaining('TRIPLINE_PUBLIC_URL'), details: [{ path: 'storeUrl' }] });
  });

  it('a source without keys works as before (manual webhooks)', async () => {
    const res = await connect({});
    expect(res.status).toBe(201);
    const source = await json(res);
    const detail = await json(t.api(`/api/v1/sources/${source.id}`));
    expect(detail).toMatchObject({ connected: false, connection: null, webhooks: [], backfill: null, reconcile: null });
    expect((await t.api(`/api/v1/sources/${source.id}/reconcile`, { method: 'POST' })).status).toBe(409);
  });

  it('with runWorkflows: true the imported history is replayed through workflows', async () => {
    const history = await startWooEmulator({ idBase: 50_000 });
    try {
      const workflowId = await publishWorkflow(t, 'replayed paid orders', {
        nodes: [
          { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid', filter: { '==': [{ var: 'data.currency' }, 'GBP'] } } },
          { id: 'note', type: 'transform', config: { fields: { replayed: 'yes' } } },
        ],
        edges: [{ id: 'e1', source: 'trigger', target: 'note' }],
      } as never);
      for (let i = 0; i < 3; i++) history.createOrder({ customer_id: 0, currency: 'GBP', billing: { email: `replay${i}@example.com` }, status: 'completed', total: 10, date_created_gmt: '2024-01-0' + (i + 1) + 'T10:00:00' }, { silent: true });
      const source = await json(connect({ storeUrl: history.url, ...history.addKey('read_write'), runWorkflows: true }));
      await eventually(async () => (await json(t.api(`/api/v1/sources/${source.id}`))).backfill.status === 'completed', 'the replayed import');
      await eventually(async () => (await t.ctx.pool.query(`select 1 from runs where workflow_id = $1`, [workflowId])).rowCount === 3, 'a run per replayed paid order');
    } finally {
      await history.close();
    }
  });
});
