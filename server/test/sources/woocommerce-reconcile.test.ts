import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneDatabase } from '../support/database.ts';
import { eventually, json } from '../support/engine.ts';
import { startTestTriplineOn, type TestTripline } from '../support/tripline.ts';
import { startWooEmulator, type WooEmulator } from '../support/woocommerce-emulator.ts';

/**
 * "Never miss a change" (issue 24, point 4): Tripline down while the store takes orders,
 * WooCommerce disabling the webhook after 5 failed deliveries, then Tripline back: the
 * poll finds every change once, the webhook is re-enabled, and the health is reported.
 */

let store: WooEmulator;
let db: Awaited<ReturnType<typeof cloneDatabase>>;
let t: TestTripline | undefined;

beforeAll(async () => {
  [store, db] = await Promise.all([startWooEmulator(), cloneDatabase()]);
});
afterAll(async () => {
  await t?.stop();
  await store?.close();
  await db?.drop();
});

/** Tripline on this test's database; `port` to come back at the address the store delivers to. */
async function start(port = 0) {
  // Only the start-up pass and the ones the test asks for.
  t = await startTestTriplineOn(db.url, { PORT: String(port), TRIPLINE_RECONCILE_INTERVAL: '1h' });
  return t;
}

async function q(sql: string, values: unknown[] = []) {
  return (await t!.ctx.pool.query(sql, values)).rows;
}
const eventsOf = (sourceId: string, type: string, orderId?: string) =>
  q(`select id from events where source = $1 and type = $2 and ($3::text is null or data->>'orderId' = $3)`, [`woocommerce:${sourceId}`, type, orderId ?? null]);

describe('reconcile', () => {
  it('after downtime finds every change no webhook delivered, once; re-enables the webhook WooCommerce disabled and re-creates a deleted one, reporting source.health_changed', async () => {
    const first = await start();
    const port = Number(new URL(first.url!).port);
    const source = await json(first.api('/api/v1/sources', { method: 'POST', json: { kind: 'woocommerce', name: 'Shop', storeUrl: store.url, ...store.addKey('read_write') } }));
    await eventually(async () => (await json(first.api(`/api/v1/sources/${source.id}`))).backfill.status === 'completed', 'the empty backfill');

    // Delivered live while Tripline runs.
    const a = store.createOrder({ customer_id: 0, billing: { email: 'amy@example.com' }, status: 'processing', total: 80 });
    await store.idle();
    await eventually(async () => (await eventsOf(source.id, 'order.paid', String(a.id))).length === 1, 'order A live');

    // Tripline is down: every delivery fails; the sixth order's webhook is already disabled.
    await first.stop();
    t = undefined;
    const missed = Array.from({ length: 6 }, (_, i) => store.createOrder({ customer_id: 0, billing: { email: `buyer${i}@example.com` }, status: 'processing', total: 10 + i }));
    store.refundOrder(a.id, 30, 'Late delivery');
    const carol = store.createCustomer({ email: 'carol@example.com', first_name: 'Carol' });
    await store.idle();
    const orderHook = [...store.webhooks.values()].find((w) => w.topic === 'order.created')!;
    expect(orderHook.status).toBe('disabled');
    expect(store.deliveries.filter((d) => d.webhookId === orderHook.id && !d.ok)).toHaveLength(5);

    // Back at the same address: the start-up pass recovers what was missed.
    await start(port);
    const after = await eventually(async () => {
      const d = await json(t!.api(`/api/v1/sources/${source.id}`));
      return d.reconcile.lastRunAt ? d : undefined;
    }, 'the start-up reconcile pass');
    expect(after.reconcile.recovered).toBe(8);
    expect(after.connection).toMatchObject({ status: 'ok', error: null });
    expect(after.webhooks.find((w: { topic: string }) => w.topic === 'order.created').status).toBe('active');
    expect(orderHook.status).toBe('active');

    for (const o of missed) expect(await eventsOf(source.id, 'order.paid', String(o.id))).toHaveLength(1);
    expect(await eventsOf(source.id, 'order.paid', String(a.id))).toHaveLength(1);
    expect(await eventsOf(source.id, 'order.refunded', String(a.id))).toHaveLength(1);
    expect(await q(`select 1 from events where type = 'customer.created' and data->>'customerId' = $1`, [String(carol.id)])).toHaveLength(1);
    await eventually(async () => (await q(`select ltv::text from customer_state where customer_id = 'amy@example.com'`))[0]?.ltv === '50.00', 'the refund applied to LTV');

    const health = await q(`select data from events where type = 'source.health_changed' order by seq`);
    expect(health.map((h) => h.data)).toEqual([{ sourceId: source.id, status: 'degraded', reason: expect.stringContaining('order.created webhook') }]);
    const audited = await q(`select action, after from audit_log where target_id = $1 and action like 'source.webhook_%'`, [source.id]);
    expect(audited).toEqual([{ action: 'source.webhook_reenabled', after: expect.objectContaining({ topic: 'order.created', was: 'disabled' }) }]);

    // A change delivered by its webhook and found again by the poll is one event; a second pass recovers nothing.
    const d = store.createOrder({ customer_id: 0, billing: { email: 'dan@example.com' }, status: 'processing', total: 99 });
    await store.idle();
    await eventually(async () => (await eventsOf(source.id, 'order.created', String(d.id))).length === 1, 'order D live');
    const again = await json(t!.api(`/api/v1/sources/${source.id}/reconcile`, { method: 'POST' }));
    expect(again).toMatchObject({ recovered: 0, repaired: [] });
    expect(await eventsOf(source.id, 'order.created', String(d.id))).toHaveLength(1);
    expect(await eventsOf(source.id, 'order.paid', String(d.id))).toHaveLength(1);

    // Back to healthy after the repair, then someone deletes a webhook in WooCommerce: re-created.
    expect((await q(`select data->>'status' as s from events where type = 'source.health_changed' order by seq`)).map((r) => r.s)).toEqual(['degraded', 'healthy']);
    const productHook = [...store.webhooks.values()].find((w) => w.topic === 'product.updated')!;
    store.deleteWebhook(productHook.id);
    const repaired = await json(t!.api(`/api/v1/sources/${source.id}/reconcile`, { method: 'POST' }));
    expect(repaired.repaired).toEqual([{ topic: 'product.updated', action: 'recreated' }]);
    const recreated = [...store.webhooks.values()].find((w) => w.topic === 'product.updated')!;
    expect(recreated).toMatchObject({ status: 'active', delivery_url: productHook.delivery_url, secret: productHook.secret });
    expect((await q(`select data->>'status' as s from events where type = 'source.health_changed' order by seq`)).map((r) => r.s)).toEqual(['degraded', 'healthy', 'degraded']);
    expect((await q(`select action from audit_log where target_id = $1 and action = 'source.webhook_recreated'`, [source.id])).length).toBe(1);

    // And the re-created webhook delivers.
    const tee = store.createProduct({ sku: 'TEE-9', manage_stock: true, stock_quantity: 5 });
    store.updateProduct(tee.id, { stock_quantity: 4 });
    await store.idle();
    await eventually(async () => (await q(`select quantity from product_state where sku = 'TEE-9'`))[0]?.quantity === 4, 'stock from the re-created webhook');
  });
});
