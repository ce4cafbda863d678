import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, sendEvents } from '../support/engine.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * Issue 26 item 6 (server side): the Deliveries list across endpoints with its filters, and
 * a test inbox never reported "unreachable" (it is delivered inside Tripline, so the SSRF
 * guard refusing loopback does not concern it).
 */
let t: TestTripline;
let down: Receiver;
let up: Receiver;
beforeAll(async () => {
  // private targets refused, as in production: loopback URLs are what the guard refuses
  t = await startTestTripline({ TRIPLINE_ALLOW_PRIVATE_TARGETS: '0' });
  down = await startReceiver(500);
  up = await startReceiver(200);
});
afterAll(async () => {
  await down?.close();
  await up?.close();
  await t?.stop();
});

describe('test inbox health', () => {
  it('is not "unreachable" although its URL is on loopback', async () => {
    const inbox = await json(t.api('/api/v1/inboxes', { method: 'POST', json: { name: 'Health check inbox', eventTypes: ['discount.applied'] } }));
    const health = await json(t.api(`/api/v1/endpoints/${inbox.endpointId}/health`));
    expect(health.unreachable).toBeNull();
    const list = await json(t.api('/api/v1/endpoints/health'));
    expect(list.data.find((h: { endpointId: string }) => h.endpointId === inbox.endpointId).unreachable).toBeNull();
  });
});

describe('GET /api/v1/deliveries', () => {
  it('lists deliveries of every endpoint newest first, filtered by status (failing), endpoint and event type', async () => {
    const t2 = await startTestTripline({ TRIPLINE_RETRY_SCHEDULE: '50ms' });
    try {
      const bad = await json(t2.api('/api/v1/endpoints', { method: 'POST', json: { url: down.url, description: 'Warehouse (down)', eventTypes: ['order.created'] } }));
      const good = await json(t2.api('/api/v1/endpoints', { method: 'POST', json: { url: up.url, description: 'CRM', eventTypes: ['order.created', 'discount.applied'] } }));
      await sendEvents(t2, { type: 'order.created', data: { orderId: 'dl-1', customerId: 'cus_dl', status: 'pending', total: 10, currency: 'EUR', items: [{ sku: 'X', quantity: 1, price: 10 }] } });
      await sendEvents(t2, { type: 'discount.applied', data: { orderId: 'dl-1', customerId: 'cus_dl', code: 'TEN', amount: 1 } });
      await eventually(async () => {
        const all = await json(t2.api('/api/v1/deliveries'));
        return all.data.length === 3 && all.data.filter((d: { status: string }) => d.status === 'succeeded').length === 2 && all.data.find((d: { endpointId: string; status: string }) => d.endpointId === bad.id && d.status === 'failed');
      }, 'three deliveries, the warehouse one failed');

      const all = await json(t2.api('/api/v1/deliveries'));
      expect(all.data.map((d: { eventType: string }) => d.eventType).sort()).toEqual(['discount.applied', 'order.created', 'order.created']);
      expect(all.data[0]).toMatchObject({ eventType: 'discount.applied', endpointName: 'CRM' });

      const failing = await json(t2.api('/api/v1/deliveries?status=failing'));
      expect(failing.data).toHaveLength(1);
      expect(failing.data[0]).toMatchObject({ endpointId: bad.id, endpointName: 'Warehouse (down)', status: 'failed', eventType: 'order.created' });
      expect((await json(t2.api(`/api/v1/deliveries?endpointId=${good.id}`))).data).toHaveLength(2);
      expect((await json(t2.api(`/api/v1/deliveries?endpointId=${good.id}&eventType=discount.applied`))).data).toHaveLength(1);
      const paged = await json(t2.api('/api/v1/deliveries?limit=2'));
      expect(paged.data).toHaveLength(2);
      const rest = await json(t2.api(`/api/v1/deliveries?limit=2&cursor=${paged.nextCursor}`));
      expect(rest.data).toHaveLength(1);
      expect((await t2.api('/api/v1/deliveries?status=exploded')).status).toBe(422);
    } finally {
      await t2.stop();
    }
  });
});
