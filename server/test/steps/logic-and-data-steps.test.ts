import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, publishWorkflow, sendEvents } from '../support/engine.ts';
import { chain, finishedRun, order, useStepsStack } from './support.ts';

const stack = useStepsStack();

const delivered = (customerId: string) => eventually(async () => stack.receiver.requests.map((r) => JSON.parse(r.body)).find((p) => p.data?.customerId === customerId), `a webhook for ${customerId}`);

describe('switch', () => {
  let workflowId: string;
  beforeAll(async () => {
    workflowId = await publishWorkflow(stack.t, 'Order size', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.created' } },
        {
          id: 'size',
          type: 'switch',
          config: {
            cases: [
              { name: 'big', rule: { '>=': [{ var: 'data.total' }, 500] } },
              { name: 'medium', rule: { '>=': [{ var: 'data.total' }, 100] } },
            ],
          },
        },
        { id: 'big_stop', type: 'stop', config: { reason: 'big' } },
        { id: 'medium_stop', type: 'stop', config: { reason: 'medium' } },
        { id: 'small_stop', type: 'stop', config: { reason: 'small' } },
      ],
      edges: [
        { id: 'e0', source: 'trigger', target: 'size' },
        { id: 'e1', source: 'size', target: 'big_stop', sourceHandle: 'big' },
        { id: 'e2', source: 'size', target: 'medium_stop', sourceHandle: 'medium' },
        { id: 'e3', source: 'size', target: 'small_stop', sourceHandle: 'default' },
      ],
    });
  });

  it('follows the first case whose rule is true, in order, and default when none is', async () => {
    await sendEvents(stack.t, [order('s-1', 'cus_big', 900), order('s-2', 'cus_mid', 150), order('s-3', 'cus_small', 20)]);
    const paths: Record<string, string[]> = {};
    for (const c of ['cus_big', 'cus_mid', 'cus_small']) {
      const run = await finishedRun(stack.t, workflowId, c);
      paths[c] = run.steps.map((s: { nodeId: string }) => s.nodeId);
      expect(run.status).toBe('succeeded');
    }
    // 900 matches both cases: the first one wins.
    expect(paths).toEqual({ cus_big: ['trigger', 'size', 'big_stop'], cus_mid: ['trigger', 'size', 'medium_stop'], cus_small: ['trigger', 'size', 'small_stop'] });
    const big = await finishedRun(stack.t, workflowId, 'cus_big');
    expect(big.steps[1].output).toEqual({ case: 'big' });
  });

  it('refuses to publish an edge from an output that is not one of its cases, naming the node', async () => {
    const graph = chain('order.created', [{ id: 'pick', type: 'switch', config: { cases: [{ name: 'vip', rule: { '==': [1, 1] } }] } }]);
    graph.nodes.push({ id: 'after', type: 'stop', config: {} });
    graph.edges.push({ id: 'gone', source: 'pick', target: 'after', sourceHandle: 'removed_case' });
    const created = await json(stack.t.api('/api/v1/workflows', { method: 'POST', json: { name: 'stale edge', graph } }));
    const res = await stack.t.api(`/api/v1/workflows/${created.id}/publish`, { method: 'POST', json: {} });
    expect(res.status).toBe(422);
    const body = await json(res);
    const problems = JSON.stringify(body);
    expect(problems).toContain('pick');
    expect(problems).toContain('removed_case');
    expect(problems).toContain('vip or default');
  });

  it('refuses duplicate case names and unsafe case rules, like any condition', async () => {
    const graph = chain('order.created', [
      {
        id: 'pick',
        type: 'switch',
        config: { cases: [{ name: 'a', rule: { '==': [1, 1] } }, { name: 'a', rule: { '==': [1, 2] } }, { name: 'b', rule: { var: 'constructor.constructor' } }] },
      },
    ]);
    const created = await json(stack.t.api('/api/v1/workflows', { method: 'POST', json: { name: 'bad cases', graph } }));
    const res = await stack.t.api(`/api/v1/workflows/${created.id}/publish`, { method: 'POST', json: {} });
    expect(res.status).toBe(422);
    const text = JSON.stringify(await json(res));
    expect(text).toContain('two cases are named');
    expect(text).toContain('reaches into object internals');
  });
});

describe('lookup', () => {
  it('keeps the current state of a product, a customer and a campaign in vars, and null for an unknown key', async () => {
    const campaign = await json(stack.t.api('/api/v1/campaigns', { method: 'POST', json: { name: 'Spring sale', kind: 'percent_off' } }));
    await sendEvents(stack.t, { type: 'product.stock_changed', data: { sku: 'MUG-1', quantity: 4, category: 'kitchen' } });
    await sendEvents(stack.t, { type: 'order.created', data: { orderId: 'l-0', customerId: 'cus_look', status: 'paid', total: 120, currency: 'EUR', items: [{ sku: 'MUG-1', quantity: 1, price: 120 }] } });
    // Processing is asynchronous: the first order must be applied before the workflow goes live, or it would run it too.
    await eventually(async () => {
      const { rows } = await stack.t.ctx.pool.query(`select 1 from events where type = 'order.created' and data->>'orderId' = 'l-0' and processed_at is not null`);
      return rows.length === 1;
    }, 'the first order to be processed');
    const workflowId = await publishWorkflow(
      stack.t,
      'Look up',
      chain('order.created', [
        { id: 'stock', type: 'lookup', config: { entity: 'product', key: '{{data.items[0].sku}}', saveAs: 'stock' } },
        { id: 'who', type: 'lookup', config: { entity: 'customer', key: '{{data.customerId}}', saveAs: 'who' } },
        { id: 'promo', type: 'lookup', config: { entity: 'campaign', key: campaign.id, saveAs: 'promo' } },
        { id: 'nothing', type: 'lookup', config: { entity: 'product', key: 'NO-SUCH-{{data.orderId}}', saveAs: 'nothing' } },
        { id: 'notify', type: 'webhook', config: { endpointId: stack.endpointId } },
      ]),
    );
    await sendEvents(stack.t, { type: 'order.created', data: { orderId: 'l-1', customerId: 'cus_look', status: 'paid', total: 80, currency: 'EUR', items: [{ sku: 'MUG-1', quantity: 1, price: 80 }] } });
    const payload = await delivered('cus_look');
    expect(payload.vars.stock).toMatchObject({ sku: 'MUG-1', quantity: 4, category: 'kitchen' });
    expect(payload.vars.who).toMatchObject({ customerId: 'cus_look', ltv: 200, orderCount: 2, lifecycleStage: expect.any(String), ltvTier: expect.any(String), segments: expect.any(Array) });
    expect(payload.vars.who.lastOrderAt).toEqual(expect.any(String));
    expect(payload.vars.promo).toMatchObject({ id: campaign.id, status: 'inactive', kind: 'percent_off' });
    expect(payload.vars.nothing).toBeNull();
    const run = await finishedRun(stack.t, workflowId, 'cus_look');
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'nothing').output).toMatchObject({ found: false, value: null });
  });
});

describe('code', () => {
  it('keeps the value the code returns at vars.<saveAs>, computed from the event, vars and customer', async () => {
    await publishWorkflow(
      stack.t,
      'Score',
      chain('order.paid', [
        { id: 'score', type: 'code', config: { saveAs: 'score', source: 'const n = input.event.data.items.reduce((s, i) => s + i.quantity, 0);\nreturn { units: n, big: input.event.data.total > 100, known: input.customer !== null };' } },
        { id: 'notify', type: 'webhook', config: { endpointId: stack.endpointId } },
      ]),
    );
    await sendEvents(stack.t, { type: 'order.paid', data: { orderId: 'c-1', customerId: 'cus_code', status: 'paid', total: 150, currency: 'EUR', items: [{ sku: 'A', quantity: 2, price: 50 }, { sku: 'B', quantity: 1, price: 50 }] } });
    const payload = await delivered('cus_code');
    expect(payload.vars.score).toEqual({ units: 3, big: true, known: true });
  });

  it('fails the step of a runaway script at its CPU limit, and the engine keeps running other runs', async () => {
    const workflowId = await publishWorkflow(stack.t, 'Runaway', chain('order.fulfillment_updated', [{ id: 'spin', type: 'code', config: { saveAs: 'x', source: 'while (true) {}' } }]));
    await sendEvents(stack.t, { type: 'order.fulfillment_updated', data: { orderId: 'r-1', customerId: 'cus_spin', status: 'shipped' } });
    const run = await finishedRun(stack.t, workflowId, 'cus_spin');
    expect(run.status).toBe('failed');
    const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'spin');
    expect(step.status).toBe('failed');
    expect(step.error).toContain('CPU limit of 50 ms');
    // the worker was not stalled: a later event's run completes
    await sendEvents(stack.t, { type: 'order.paid', data: { orderId: 'c-2', customerId: 'cus_after', status: 'paid', total: 10, currency: 'EUR', items: [{ sku: 'A', quantity: 1, price: 10 }] } });
    expect((await delivered('cus_after')).vars.score.units).toBe(1);
  });

  it('fails the step when the code throws, with its message and the line', async () => {
    const workflowId = await publishWorkflow(stack.t, 'Throws', chain('order.cancelled', [{ id: 'boom', type: 'code', config: { saveAs: 'x', source: "throw new Error('no rule for ' + input.event.data.reason);" } }]));
    await sendEvents(stack.t, { type: 'order.cancelled', data: { orderId: 'b-1', customerId: 'cus_boom', reason: 'fraud' } });
    const run = await finishedRun(stack.t, workflowId, 'cus_boom');
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'boom').error).toBe('Error: no rule for fraud (line 1)');
  });
});

describe('for_each limits', () => {
  it('fails with a clear step error when the list holds more items than maxItems', async () => {
    const workflowId = await publishWorkflow(stack.t, 'Too many', chain('order.created', [{ id: 'each', type: 'for_each', config: { items: { var: 'data.items' }, maxItems: 2 } }]));
    await sendEvents(stack.t, order('f-1', 'cus_many', 30, ['A', 'B', 'C'].map((sku) => ({ sku, quantity: 1, price: 10 }))));
    const run = await finishedRun(stack.t, workflowId, 'cus_many');
    expect(run.status).toBe('failed');
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'each').error).toBe('"items" gave 3 items; this step allows at most 2 (maxItems)');
  });

  it('refuses to publish maxItems above the limit of 1,000', async () => {
    const created = await json(stack.t.api('/api/v1/workflows', { method: 'POST', json: { name: 'limit', graph: chain('order.created', [{ id: 'each', type: 'for_each', config: { items: { var: 'data.items' }, maxItems: 5000 } }]) } }));
    const res = await stack.t.api(`/api/v1/workflows/${created.id}/publish`, { method: 'POST', json: {} });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await json(res))).toContain('maxItems');
  });
});
