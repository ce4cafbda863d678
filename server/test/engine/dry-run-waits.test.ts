import type { WorkflowGraph } from '@tripline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/** A dry run can exercise a wait's `received` branch: the awaited event is simulated about the run's subject. */
let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

const graph: WorkflowGraph = {
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'order.created' } },
    { id: 'wait', type: 'wait_for_event', config: { eventType: 'order.paid', timeoutSeconds: 3600 } },
    { id: 'paid', type: 'transform', config: { fields: { paidTotal: '{{vars.received.data.total}}', paidOrder: '{{vars.received.data.orderId}}' } } },
    { id: 'late', type: 'stop', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'wait' },
    { id: 'e2', source: 'wait', sourceHandle: 'received', target: 'paid' },
    { id: 'e3', source: 'wait', sourceHandle: 'timeout', target: 'late' },
  ],
};
const order = { orderId: 'ord_sim_1', customerId: 'cus_sim', status: 'pending', total: 42, currency: 'EUR', items: [] };

describe('dry run waits', () => {
  it('takes timeout by default, and received with a simulated event about the same order when asked', async () => {
    const wf = await json<{ id: string }>(t.api('/api/v1/workflows', { method: 'POST', json: { name: 'Wait', graph } }));
    const plain = await json<{ path: string[] }>(t.api(`/api/v1/workflows/${wf.id}/test`, { method: 'POST', json: { event: { data: order } } }));
    expect(plain.path).toEqual(['trigger', 'wait', 'late']);

    const res = await t.api(`/api/v1/workflows/${wf.id}/test`, { method: 'POST', json: { event: { data: order }, waits: 'received' } });
    expect(res.status).toBe(200);
    const simulated = await json<{ path: string[]; steps: { nodeId: string; output: Record<string, unknown> }[] }>(res);
    expect(simulated.path).toEqual(['trigger', 'wait', 'paid']);
    const wait = simulated.steps.find((s) => s.nodeId === 'wait')!;
    expect(wait.output).toMatchObject({ dryRun: true, simulated: true, handle: 'received', received: { type: 'order.paid', data: { orderId: 'ord_sim_1', customerId: 'cus_sim' } } });
    expect(simulated.steps.find((s) => s.nodeId === 'paid')!.output).toMatchObject({ paidOrder: 'ord_sim_1' });
  });
});
