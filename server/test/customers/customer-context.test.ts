import { describe, expect, it } from 'vitest';
import { userWithRole } from '../accounts/support.ts';
import { eventually, json, publishWorkflow, sendEvents, waitForIdle } from '../support/engine.ts';
import { chain, useStepsStack } from '../steps/support.ts';

const stack = useStepsStack();

describe('GET /api/v1/customers/:id', () => {
  it('gives the customer as the lookup step sees them, with their recent events, runs and deliveries (and nobody else\'s)', async () => {
    const { t, endpointId } = stack;
    const workflowId = await publishWorkflow(t, 'Tell the CRM about gold customers', chain('customer.ltv_tier_changed', [{ id: 'notify', type: 'webhook', config: { endpointId } }]));
    await sendEvents(t, [
      { type: 'customer.created', data: { customerId: 'cus_ctx', email: 'ada@example.com', name: 'Ada Lovelace' } },
      { type: 'order.created', occurredAt: '2026-11-02T10:48:00.000Z', data: { orderId: 'ctx-1', customerId: 'cus_ctx', status: 'paid', total: 640, currency: 'EUR', items: [{ sku: 'HOODIE', quantity: 8, price: 80 }] } },
      { type: 'order.created', data: { orderId: 'other-1', customerId: 'cus_other', status: 'paid', total: 20, currency: 'EUR', items: [{ sku: 'TEE', quantity: 1, price: 20 }] } },
    ]);
    await waitForIdle(t);
    await eventually(async () => (await json(t.api(`/api/v1/runs?workflowId=${workflowId}&subject=cus_ctx`))).data[0]?.status === 'succeeded', 'the gold run to finish');

    const res = await t.api('/api/v1/customers/cus_ctx');
    expect(res.status).toBe(200);
    const c = await json(res);
    expect(c).toMatchObject({
      customerId: 'cus_ctx',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      ltv: 640,
      ltvTier: 'gold',
      orderCount: 1,
      firstOrderAt: '2026-11-02T10:48:00.000Z',
      lastOrderAt: '2026-11-02T10:48:00.000Z',
    });
    expect(typeof c.lifecycleStage).toBe('string');
    expect(Array.isArray(c.segments)).toBe(true);

    // The same fields as a lookup step's customer: the page and a workflow never disagree.
    const draft = await json(t.api('/api/v1/workflows', { method: 'POST', json: {
      name: 'Look the customer up',
      graph: chain('order.created', [{ id: 'look', type: 'lookup', config: { entity: 'customer', key: '{{data.customerId}}', saveAs: 'who' } }]),
    } }));
    const tried = await json(t.api(`/api/v1/workflows/${draft.id}/test`, { method: 'POST', json: {
      event: { data: { orderId: 'x', customerId: 'cus_ctx', status: 'pending', total: 1, currency: 'EUR', items: [{ sku: 'X', quantity: 1, price: 1 }] } },
    } }));
    const looked = tried.steps.find((s: { nodeId: string }) => s.nodeId === 'look').output.value;
    const { events: _e, runs: _r, deliveries: _d, ...state } = c;
    expect(state).toEqual(looked);

    const types = c.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['customer.created', 'order.created', 'customer.ltv_tier_changed']));
    expect(c.events.every((e: { subject: string }) => e.subject === 'cus_ctx')).toBe(true);
    expect(c.runs).toHaveLength(1);
    expect(c.runs[0]).toMatchObject({ workflowId, status: 'succeeded', eventType: 'customer.ltv_tier_changed', subject: 'cus_ctx' });
    // The workflow's webhook step delivered this customer's tier change; nothing of cus_other's shows.
    const eventIds = new Set(c.events.map((e: { id: string }) => e.id));
    expect(c.deliveries).toHaveLength(1);
    expect(c.deliveries.every((d: { eventId: string }) => eventIds.has(d.eventId))).toBe(true);
    expect(c.deliveries.some((d: { runId: string | null }) => d.runId === c.runs[0].id)).toBe(true);
  });

  it('lets a viewer read it and answers 404 for a customer Tripline has never heard of', async () => {
    const { t } = stack;
    const viewer = await userWithRole(t, 'viewer');
    const seen = await viewer.session.call('/api/v1/customers/cus_ctx');
    expect(seen.status).toBe(200);
    expect((await json(seen)).customerId).toBe('cus_ctx');
    const missing = await t.api('/api/v1/customers/cus_nobody');
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.message).toContain('cus_nobody');
  });
});
