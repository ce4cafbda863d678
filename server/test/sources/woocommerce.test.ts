import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { createEndpoint, Receiver } from '../delivery/receiver.ts';

const order727 = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'fixtures/wc-order-727.json'), 'utf8'));
const product794 = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'fixtures/wc-product.json'), 'utf8'));

let t: TestTripline;
let source: { id: string; secret: string; deliveryPath: string };

beforeAll(async () => {
  t = await startTestTripline();
  const res = await t.api('/api/v1/sources', { method: 'POST', json: { kind: 'woocommerce', name: 'Main store' } });
  expect(res.status).toBe(201);
  source = await json(res);
});
afterAll(() => t?.stop());

/** Exactly what WooCommerce sends: the REST representation, signed over the raw bytes. */
async function deliver(topic: string, body: unknown, opts: { deliveryId?: string; secret?: string; signature?: string | null } = {}) {
  const raw = JSON.stringify(body);
  const signature = opts.signature === undefined ? crypto.createHmac('sha256', opts.secret ?? source.secret).update(raw).digest('base64') : opts.signature;
  const [resource, event] = topic.split('.');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'WooCommerce/9.4.0 Hookshot (WordPress/6.7)',
    'x-wc-webhook-source': 'https://shop.example.com/',
    'x-wc-webhook-topic': topic,
    'x-wc-webhook-resource': resource!,
    'x-wc-webhook-event': event!,
    'x-wc-webhook-id': '12',
    'x-wc-webhook-delivery-id': opts.deliveryId ?? crypto.randomUUID(),
  };
  if (signature !== null) headers['x-wc-webhook-signature'] = signature;
  return fetch(`${t.url}${source.deliveryPath}`, { method: 'POST', headers, body: raw });
}

async function eventsFromSource(type?: string): Promise<any[]> {
  const { rows } = await t.ctx.pool.query(
    `select id, type, data, source, occurred_at from events where source = $1 and ($2::text is null or type = $2) order by seq`,
    [`woocommerce:${source.id}`, type ?? null],
  );
  return rows;
}

describe('WooCommerce sources', () => {
  it('answers the secret once, lists sources without it, and audits the creation', async () => {
    expect(source.id).toMatch(/^src_/);
    expect(source.secret.length).toBeGreaterThanOrEqual(32);
    expect(source.deliveryPath).toBe(`/api/v1/ingest/woocommerce/${source.id}`);
    const list = await json(t.api('/api/v1/sources'));
    expect(list.data[0]).toMatchObject({ id: source.id, kind: 'woocommerce', name: 'Main store' });
    expect(JSON.stringify(list)).not.toContain(source.secret);
    const { rows } = await t.ctx.pool.query(`select action from audit_log where target_id = $1`, [source.id]);
    expect(rows.map((r) => r.action)).toEqual(['source.create']);
  });

  it("answers WooCommerce's ping on webhook creation with 200", async () => {
    const res = await fetch(`${t.url}${source.deliveryPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'webhook_id=12',
    });
    expect(res.status).toBe(200);
  });

  it('refuses a missing or wrong signature with 401, an unknown source with 404, an unknown topic with 422', async () => {
    expect((await deliver('order.created', order727, { signature: null })).status).toBe(401);
    expect((await deliver('order.created', order727, { secret: 'not-the-secret' })).status).toBe(401);
    const tampered = await fetch(`${t.url}${source.deliveryPath}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-wc-webhook-topic': 'order.created',
        'x-wc-webhook-signature': crypto.createHmac('sha256', source.secret).update(JSON.stringify(order727)).digest('base64'),
      },
      body: JSON.stringify({ ...order727, total: '0.01' }),
    });
    expect(tampered.status).toBe(401);
    const unknown = await fetch(`${t.url}/api/v1/ingest/woocommerce/src_nope`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    const coupon = await deliver('coupon.created', { id: 1, code: 'TEN' });
    expect(coupon.status).toBe(422);
    expect((await json(coupon)).error.message).toMatch(/coupon\.created.*not supported.*order\.created/);
    expect(await eventsFromSource()).toEqual([]);
  });

  it('turns a signed order.created into an order.created event, once per delivery id', async () => {
    const res = await deliver('order.created', order727, { deliveryId: 'dlv-727' });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual(['order.created', 'order.paid']);
    const [created] = await eventsFromSource('order.created');
    expect(created).toMatchObject({
      source: `woocommerce:${source.id}`,
      data: {
        orderId: '727',
        customerId: 'john.doe@example.com',
        status: 'processing',
        total: 29.35,
        currency: 'USD',
        items: [
          { sku: 'wc-product-93', quantity: 2, price: 3 },
          { sku: 'Bar3', quantity: 1, price: 12 },
        ],
      },
    });
    expect(created.occurred_at.toISOString()).toBe('2017-03-22T19:28:02.000Z');

    // WooCommerce redelivers the same delivery: accepted, nothing stored twice.
    const again = await deliver('order.created', order727, { deliveryId: 'dlv-727' });
    expect(again.status).toBe(200);
    expect(await json(again)).toMatchObject({ duplicate: true, events: [] });
    expect(await eventsFromSource('order.created')).toHaveLength(1);
  });

  it('maps order.updated status transitions to paid, fulfilment, refunded and cancelled', async () => {
    const base = { ...order727, id: 801, number: '801', customer_id: 5 };
    await deliver('order.created', { ...base, status: 'pending', date_paid: null, date_paid_gmt: null });
    await deliver('order.updated', { ...base, status: 'processing' });
    await deliver('order.updated', { ...base, status: 'completed' });
    await deliver('order.updated', { ...base, status: 'completed', refunds: [{ id: 9, reason: 'Damaged', total: '-12.00' }] });
    const of801 = (await eventsFromSource()).filter((e) => e.data.orderId === '801');
    expect(of801.map((e) => [e.type, e.data.status ?? e.data.amount ?? null])).toEqual([
      ['order.created', 'pending'],
      ['order.paid', 'processing'],
      ['order.fulfillment_updated', 'processing'],
      ['order.fulfillment_updated', 'shipped'],
      ['order.refunded', 12],
    ]);
    const cancelled = { ...order727, id: 802, customer_id: 5, status: 'cancelled', date_paid: null, date_paid_gmt: null };
    await deliver('order.created', { ...cancelled, status: 'on-hold' });
    await deliver('order.updated', cancelled);
    expect((await eventsFromSource('order.cancelled')).map((e) => e.data)).toEqual([{ orderId: '802', customerId: '5', reason: 'Cancelled in WooCommerce' }]);
  });

  it('maps product stock and customers', async () => {
    const unmanaged = await json(deliver('product.updated', product794));
    expect(unmanaged.events).toEqual([]);
    await deliver('product.updated', { ...product794, manage_stock: true, stock_quantity: 4, stock_status: 'instock' });
    await deliver('product.updated', { ...product794, manage_stock: true, stock_quantity: 4, stock_status: 'instock', name: 'Renamed' });
    expect((await eventsFromSource('product.stock_changed')).map((e) => e.data)).toEqual([
      { sku: 'wc-product-794', quantity: 4, category: 'Clothing', name: 'Premium Quality' },
    ]);
    await deliver('customer.created', { id: 25, email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', username: 'ada' });
    expect((await eventsFromSource('customer.created')).map((e) => e.data)).toEqual([{ customerId: '25', email: 'ada@example.com', name: 'Ada Lovelace' }]);
  });

  it('a WooCommerce order reaches a subscribed endpoint as a signed canonical event', async () => {
    const r = await new Receiver().start();
    try {
      const ep = await createEndpoint(t, { url: `${r.url}/desk`, eventTypes: ['order.created'] });
      await deliver('order.created', { ...order727, id: 900 }, { deliveryId: 'dlv-900' });
      // Earlier tests' orders may still be fanning out to the new endpoint: pick order 900's.
      const got = await eventually(async () => r.requests.find((q) => String(q.body).includes('"orderId":"900"')), 'the delivery');
      const payload = new Webhook(ep.secret).verify(got.body, {
        'webhook-id': String(got.headers['webhook-id']),
        'webhook-timestamp': String(got.headers['webhook-timestamp']),
        'webhook-signature': String(got.headers['webhook-signature']),
      }) as Record<string, any>;
      expect(payload).toMatchObject({ type: 'order.created', source: `woocommerce:${source.id}`, data: { orderId: '900', total: 29.35 } });
    } finally {
      await r.stop();
    }
  });
});
