import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { createEndpoint, Receiver, sendEvent } from './receiver.ts';

// Issue 25, item 4: an endpoint with `ordering: 'subject'` gets one subject's deliveries one
// at a time, in event order; a failing one holds the later ones (the delivery log says
// "waiting for msg_…") until it succeeds. An endpoint without it gets them as they come.

let t: TestTripline;
let r: Receiver;

// Many short retries: "paid" keeps failing for as long as the test holds it, never given up.
beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_RETRY_SCHEDULE: Array.from({ length: 25 }, () => '400ms').join(',') });
  r = await new Receiver().start();
});
afterAll(async () => {
  await r?.stop();
  await t?.stop();
});

const customerId = 'cus_ordered';
const orderData = { orderId: 'o-77', customerId, total: 30, currency: 'EUR', items: [{ sku: 'TEE', quantity: 1, price: 30 }] };
const typeOf = (body: string) => (JSON.parse(body) as { type: string }).type;

describe('ordered endpoints', () => {
  it('delivers created → paid → shipped in order even when the first attempts of "paid" fail, and shows the later one waiting', async () => {
    let holdPaid = true;
    const answered: { path: string; type: string }[] = [];
    r.reply = (req, res) => {
      const type = typeOf(req.body);
      if (type === 'order.paid' && holdPaid) return void res.writeHead(500).end('not yet');
      answered.push({ path: req.path, type });
      res.writeHead(200).end('ok');
    };
    const ordered = await createEndpoint(t, { url: `${r.url}/ordered`, eventTypes: ['order.*'], ordering: 'subject' });
    const unordered = await createEndpoint(t, { url: `${r.url}/unordered`, eventTypes: ['order.*'] });
    expect(ordered.ordering).toBe('subject');
    expect(unordered.ordering).toBe('none');

    await sendEvent(t, { id: 'evt_ord_created', type: 'order.created', data: { ...orderData, status: 'pending' } });
    await sendEvent(t, { id: 'evt_ord_paid', type: 'order.paid', data: { ...orderData, status: 'paid' } });
    await sendEvent(t, { id: 'evt_ord_shipped', type: 'order.fulfillment_updated', data: { orderId: 'o-77', customerId, status: 'shipped', carrier: 'DHL' } });

    // The unordered endpoint gets "shipped" while its "paid" is still failing.
    await eventually(async () => answered.some((a) => a.path === '/unordered' && a.type === 'order.fulfillment_updated'), 'shipped at the unordered endpoint');

    // The ordered one holds "shipped" behind "paid", and its log says so.
    const list = async () => (await json<{ data: any[] }>(t.api(`/api/v1/endpoints/${ordered.id}/deliveries`))).data;
    const paid = await eventually(async () => (await list()).find((d) => d.eventId === 'evt_ord_paid' && d.attemptCount >= 1), 'a failed attempt of paid');
    const held = await eventually(async () => (await list()).find((d) => d.eventId === 'evt_ord_shipped' && d.waitingFor === paid.id), 'shipped waiting for paid');
    expect(held).toMatchObject({ status: 'pending', attemptCount: 0, waitingFor: paid.id });
    const detail = await json<any>(t.api(`/api/v1/deliveries/${held.id}`));
    expect(detail.waitingFor).toBe(paid.id);
    expect(answered.filter((a) => a.path === '/ordered').map((a) => a.type)).toEqual(['order.created']);
    expect(r.to('/ordered').some((q) => typeOf(q.body) === 'order.fulfillment_updated')).toBe(false);

    // "paid" succeeds at its next attempt; then "shipped" flows.
    holdPaid = false;
    await eventually(async () => answered.filter((a) => a.path === '/ordered').length === 3, 'all three at the ordered endpoint');
    expect(answered.filter((a) => a.path === '/ordered').map((a) => a.type)).toEqual(['order.created', 'order.paid', 'order.fulfillment_updated']);
    // Never sent before "paid" succeeded: one request for it, the last one.
    const requests = r.to('/ordered').map((q) => typeOf(q.body));
    expect(requests.filter((type) => type === 'order.fulfillment_updated')).toHaveLength(1);
    expect(requests.at(-1)).toBe('order.fulfillment_updated');
    await eventually(async () => (await list()).every((d) => d.status === 'succeeded' && !d.waitingFor), 'every delivery succeeded');
  });

  it('refuses an unknown ordering, naming the field', async () => {
    const res = await t.api('/api/v1/endpoints', { method: 'POST', json: { url: `${r.url}/x`, eventTypes: ['order.*'], ordering: 'fifo' } });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('ordering');
  });
});
