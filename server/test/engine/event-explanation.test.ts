import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, publishWorkflow, sendEvents, waitForIdle } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/** The event detail API says why an event started nothing; the stock view says what is armed. */
let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
  await publishWorkflow(t, 'Low stock → pause BOGO', {
    nodes: [
      { id: 'trigger', type: 'trigger', config: { eventType: 'inventory.threshold_crossed', threshold: 10, direction: 'below', sku: 'TEE-BLK-M' } },
      { id: 'stop', type: 'stop', config: {} },
    ],
    edges: [{ id: 'e1', source: 'trigger', target: 'stop' }],
  });
  await publishWorkflow(t, 'Big orders', {
    nodes: [
      { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid', filter: { '>': [{ var: 'data.total' }, 500] } } },
      { id: 'stop', type: 'stop', config: {} },
    ],
    edges: [{ id: 'e1', source: 'trigger', target: 'stop' }],
  });
});
afterAll(() => t?.stop());

let clock = Date.parse('2026-11-02T10:00:00Z');
const stock = async (sku: string, quantity: number) => {
  const sent = await sendEvents(t, { type: 'product.stock_changed', occurredAt: new Date((clock += 1000)).toISOString(), data: { sku, quantity } });
  await waitForIdle(t);
  return json(t.api(`/api/v1/events/${sent.id}`));
};

describe('GET /api/v1/events/:id explains why nothing fired', () => {
  it('a SKU already below its threshold: "8 → 7: already below 10; fires again after it rises to 10 or more"', async () => {
    await stock('TEE-BLK-M', 12);
    const crossing = await stock('TEE-BLK-M', 8);
    expect(crossing.derived.map((d: { type: string }) => d.type)).toEqual(['inventory.threshold_crossed']);
    const quiet = await stock('TEE-BLK-M', 7);
    expect(quiet.runs).toEqual([]);
    expect(quiet.explanation.summary).toBe('TEE-BLK-M 8 → 7: already below 10; fires again after it rises to 10 or more');
  });

  it('a level that does not cross says where it fires', async () => {
    await stock('TEE-BLK-M', 30);
    const above = await stock('TEE-BLK-M', 25);
    expect(above.explanation.summary).toBe('TEE-BLK-M 30 → 25: not below 10; fires when it goes below 10');
  });

  it('a SKU nobody watches', async () => {
    const other = await stock('MUG-WHT', 3);
    expect(other.explanation.summary).toBe('no published workflow watches the stock of MUG-WHT');
  });

  it('a trigger whose filter did not match names the workflow', async () => {
    const sent = await sendEvents(t, { type: 'order.paid', data: { orderId: 'o-1', customerId: 'cus_1', total: 20, currency: 'EUR', status: 'paid', items: [{ sku: 'X', quantity: 1, price: 20 }] } });
    await waitForIdle(t);
    const detail = await json(t.api(`/api/v1/events/${sent.id}`));
    expect(detail.explanation.reasons).toContain('“Big orders”: the trigger filter did not match');
  });

  it('an event that started a run carries no explanation', async () => {
    const sent = await sendEvents(t, { type: 'order.paid', data: { orderId: 'o-2', customerId: 'cus_1', total: 900, currency: 'EUR', status: 'paid', items: [{ sku: 'X', quantity: 1, price: 900 }] } });
    await waitForIdle(t);
    const detail = await json(t.api(`/api/v1/events/${sent.id}`));
    expect(detail.runs).toHaveLength(1);
    expect(detail.explanation).toBeNull();
  });
});

describe('GET /api/v1/stock/:sku', () => {
  it('shows the current level and whether each watched threshold is armed', async () => {
    await stock('TEE-BLK-M', 6);
    expect(await json(t.api('/api/v1/stock/TEE-BLK-M'))).toMatchObject({
      sku: 'TEE-BLK-M',
      quantity: 6,
      thresholds: [{ threshold: 10, direction: 'below', armed: false, workflows: ['Low stock → pause BOGO'] }],
    });
    await stock('TEE-BLK-M', 14);
    expect((await json(t.api('/api/v1/stock/TEE-BLK-M'))).thresholds[0].armed).toBe(true);
  });
});
