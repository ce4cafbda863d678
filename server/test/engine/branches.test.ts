import type { WorkflowGraph } from '@tripline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, publishWorkflow, sendEvents } from '../support/engine.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { startFakeApi } from '../steps/support.ts';

/**
 * Issue 26 item 4: one output connected to several steps starts a branch per step. "Notify
 * the supplier and pause BOGO": a supplier endpoint that is down must not hold the pause
 * while its delivery retries; each branch's failure is its own; the run ends when every
 * branch has; a retry retries the failed branch only. Real PostgreSQL, pg-boss, receivers.
 */
let t: TestTripline;
let supplier: Receiver;
let shop: Receiver;
let supplierEp: { id: string };
let shopEp: { id: string };

beforeAll(async () => {
  // Ten retries a few hundred ms apart: a delivery to a down endpoint keeps retrying for seconds.
  t = await startTestTripline({ TRIPLINE_RETRY_SCHEDULE: Array.from({ length: 10 }, () => '300ms').join(',') });
  supplier = await startReceiver(500);
  shop = await startReceiver(200);
  supplierEp = await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: supplier.url, eventTypes: [] } }));
  shopEp = await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: shop.url, eventTypes: [] } }));
});
afterAll(async () => {
  await t?.stop();
  await supplier?.close();
  await shop?.close();
});

/** trigger → (notify the supplier: branch 1, higher on the canvas) and (pause BOGO at the shop: branch 2). */
const forkGraph = (key: string, first: { type: string; config: Record<string, unknown> } = { type: 'webhook', config: { endpointId: supplierEp.id } }): WorkflowGraph => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: trigger(key), position: { x: 0, y: 100 } },
    // The pause is drawn below the notify step, though its edge comes first: canvas order wins.
    { id: 'pause_bogo', type: 'webhook', config: { endpointId: shopEp.id }, position: { x: 300, y: 200 } },
    { id: 'notify', ...first, position: { x: 300, y: 0 } },
  ],
  edges: [
    { id: 'e-pause', source: 'trigger', target: 'pause_bogo', sourceHandle: 'out' },
    { id: 'e-notify', source: 'trigger', target: 'notify', sourceHandle: 'out' },
  ],
});

/** Each test's workflow runs for its own refunds only (the refund's reason is the test's key). */
const trigger = (key: string) => ({ eventType: 'order.refunded', filter: { '==': [{ var: 'data.reason' }, key] } });

let customer = 0;
/** An order refunded for a new customer, with the test's key: the run of `workflowId` it starts. */
async function refund(workflowId: string, key: string): Promise<string> {
  const id = `cus_branch_${++customer}`;
  await sendEvents(t, { type: 'order.refunded', data: { orderId: `ord_${customer}`, customerId: id, amount: 5, reason: key } });
  return eventually(async () => (await json(t.api(`/api/v1/runs?workflowId=${workflowId}`))).data.find((r: any) => r.subject?.includes(id))?.id, 'the run to start');
}
const runOf = (id: string) => json(t.api(`/api/v1/runs/${id}`));
const stepAt = (run: any, nodeId: string) => run.steps.find((s: any) => s.nodeId === nodeId);

describe('one output, several steps: each its own branch', () => {
  it('completes the healthy branch while the supplier branch is still retrying, and ends when both have', async () => {
    supplier.status = 500;
    const workflowId = await publishWorkflow(t, 'Notify supplier and pause BOGO', forkGraph('retrying'));
    const runId = await refund(workflowId, 'retrying');

    const paused = await eventually(async () => {
      const run = await runOf(runId);
      // (the run's branches and its steps are two reads: both must have seen the commit)
      return run.branches.find((b: any) => b.id === '2')?.status === 'succeeded' && stepAt(run, 'pause_bogo')?.status === 'succeeded' ? run : undefined;
    }, 'the pause branch to succeed');
    // The pause went out, while the supplier's delivery is still retrying: the run is not over.
    expect(shop.requests).toHaveLength(1);
    expect(supplier.requests.length).toBeGreaterThanOrEqual(1);
    expect(paused.status).toBe('waiting');
    expect(paused.branches).toEqual([
      { id: '1', status: 'waiting', nodeId: 'notify', startNodeId: 'notify', error: null },
      { id: '2', status: 'succeeded', nodeId: null, startNodeId: 'pause_bogo', error: null },
    ]);
    expect(stepAt(paused, 'notify')).toMatchObject({ branch: '1', status: 'waiting' });
    expect(stepAt(paused, 'pause_bogo')).toMatchObject({ branch: '2', status: 'succeeded' });
    expect(stepAt(paused, 'trigger').branch).toBeUndefined();
    const delivery = paused.deliveries.find((d: any) => d.nodeId === 'notify');
    expect(delivery.status).not.toBe('failed');

    // The supplier comes back: the branch's delivery gets through and the run ends, succeeded.
    supplier.status = 200;
    const done = await eventually(async () => {
      const run = await runOf(runId);
      return ['succeeded', 'failed'].includes(run.status) ? run : undefined;
    }, 'the run to end');
    expect(done.status).toBe('succeeded');
    expect(done.branches.map((b: any) => b.status)).toEqual(['succeeded', 'succeeded']);
    expect(done.steps.map((s: any) => [s.nodeId, s.status])).toEqual([
      ['trigger', 'succeeded'],
      ['notify', 'succeeded'],
      ['pause_bogo', 'succeeded'],
    ]);
    expect(done.finishedAt).not.toBeNull();
  });

  it('reports a failed branch on its own, ends the run failed once every branch has ended, and a retry re-runs only that branch', async () => {
    supplier.status = 500;
    const workflowId = await publishWorkflow(t, 'Supplier down for good', forkGraph('down'));
    const shopBefore = shop.requests.length;
    const runId = await refund(workflowId, 'down');
    const failed = await eventually(async () => {
      const run = await runOf(runId);
      return run.status === 'failed' ? run : undefined;
    }, 'the run to fail after the supplier delivery gives up', 30_000);
    expect(failed.branches).toEqual([
      { id: '1', status: 'failed', nodeId: 'notify', startNodeId: 'notify', error: expect.stringMatching(/^notify: delivery failed after 11 attempt/) },
      { id: '2', status: 'succeeded', nodeId: null, startNodeId: 'pause_bogo', error: null },
    ]);
    expect(failed.error).toMatch(/^branch 1: notify: delivery failed/);
    expect(stepAt(failed, 'pause_bogo')).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(shop.requests.length).toBe(shopBefore + 1);
    // Its own run.failed, naming the branch and its step.
    const { rows } = await t.ctx.pool.query(`select data from events where type = 'run.failed' and data->>'runId' = $1`, [runId]);
    expect(rows.map((r) => r.data)).toEqual([expect.objectContaining({ nodeId: 'notify', branch: '1' })]);

    // Retry: the supplier is back; only the failed branch runs again (its delivery sent once more).
    supplier.status = 200;
    const retried = await t.api(`/api/v1/runs/${runId}/retry`, { method: 'POST', json: {} });
    expect(retried.status).toBe(200);
    const done = await eventually(async () => {
      const run = await runOf(runId);
      return run.status === 'succeeded' ? run : undefined;
    }, 'the retried run to succeed');
    expect(done.branches.map((b: any) => b.status)).toEqual(['succeeded', 'succeeded']);
    expect(stepAt(done, 'notify')).toMatchObject({ status: 'succeeded', attempts: 2, branch: '1' });
    expect(stepAt(done, 'pause_bogo')).toMatchObject({ status: 'succeeded', attempts: 1, branch: '2' });
    expect(shop.requests.length).toBe(shopBefore + 1);
    const audit = await json(t.api(`/api/v1/audit?action=run.retried&targetId=${runId}`));
    expect(audit.data[0].after).toMatchObject({ branches: ['1'] });
  });

  it('retries a branch that failed inside its for_each from the failed item, its delivery sent again', async () => {
    supplier.status = 500;
    const key = 'br-loop';
    const workflowId = await publishWorkflow(t, 'Tell the supplier each item, pause BOGO', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid', filter: { in: [key, { var: 'data.orderId' }] } }, position: { x: 0, y: 100 } },
        { id: 'each_item', type: 'for_each', config: { items: { var: 'data.items' } }, position: { x: 300, y: 0 } },
        { id: 'notify', type: 'webhook', config: { endpointId: supplierEp.id }, position: { x: 600, y: 0 } },
        { id: 'pause_bogo', type: 'webhook', config: { endpointId: shopEp.id }, position: { x: 300, y: 200 } },
      ],
      edges: [
        { id: 'e1', source: 'trigger', target: 'each_item' },
        { id: 'e2', source: 'trigger', target: 'pause_bogo' },
        { id: 'e3', source: 'each_item', target: 'notify', sourceHandle: 'each' },
      ],
    });
    const customerId = `cus_branch_loop`;
    const items = [{ sku: 'MUG', quantity: 1, price: 5 }, { sku: 'TEE', quantity: 1, price: 5 }];
    await sendEvents(t, { type: 'order.paid', data: { orderId: `${key}-1`, customerId, status: 'paid', total: 10, currency: 'EUR', items } });
    const runId = await eventually(async () => (await json(t.api(`/api/v1/runs?workflowId=${workflowId}`))).data[0]?.id, 'the run to start');
    const failed = await eventually(async () => {
      const run = await runOf(runId);
      return run.status === 'failed' ? run : undefined;
    }, 'the loop branch to fail on its first item', 30_000);
    expect(failed.branches.map((b: any) => [b.id, b.status, b.nodeId])).toEqual([
      ['1', 'failed', 'notify'],
      ['2', 'succeeded', null],
    ]);
    supplier.status = 200;
    const before = supplier.requests.length;
    expect((await t.api(`/api/v1/runs/${runId}/retry`, { method: 'POST', json: {} })).status).toBe(200);
    const done = await eventually(async () => {
      const run = await runOf(runId);
      return run.status === 'succeeded' ? run : undefined;
    }, 'the retried loop branch to go through both items');
    const notified = done.steps.filter((s: any) => s.nodeId === 'notify').map((s: any) => [s.iteration, s.status, s.attempts, s.branch]);
    expect(notified).toEqual([
      [0, 'succeeded', 2, '1'],
      [1, 'succeeded', 1, '1'],
    ]);
    // the first item's delivery was sent again (the same delivery), the second's sent once
    expect(done.deliveries.filter((d: any) => d.nodeId === 'notify')).toHaveLength(2);
    expect(supplier.requests.length).toBe(before + 2);
  });

  it('a delay on one branch holds none of the others', async () => {
    const workflowId = await publishWorkflow(t, 'Wait a day, pause now', forkGraph('delay', { type: 'delay', config: { seconds: 86400 } }));
    const shopBefore = shop.requests.length;
    const runId = await refund(workflowId, 'delay');
    const run = await eventually(async () => {
      const r = await runOf(runId);
      return r.branches.find((b: any) => b.id === '2')?.status === 'succeeded' ? r : undefined;
    }, 'the pause branch to succeed beside the waiting delay');
    expect(shop.requests.length).toBe(shopBefore + 1);
    expect(run.status).toBe('waiting');
    expect(run.branches[0]).toMatchObject({ id: '1', status: 'waiting', nodeId: 'notify' });
    expect(stepAt(run, 'notify')).toMatchObject({ nodeType: 'delay', status: 'waiting', branch: '1' });
    // Cancelled: the open branch with it, the ended one as it ended.
    expect((await t.api(`/api/v1/runs/${runId}/cancel`, { method: 'POST' })).status).toBe(200);
    const cancelled = await runOf(runId);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.branches.map((b: any) => b.status)).toEqual(['cancelled', 'succeeded']);
    expect(stepAt(cancelled, 'notify').status).toBe('cancelled');
  });

  it('wakes only the branch whose event arrived; the other keeps waiting', async () => {
    const workflowId = await publishWorkflow(t, 'Cancelled or a day', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: trigger('wait'), position: { x: 0, y: 0 } },
        { id: 'cancelled', type: 'wait_for_event', config: { eventType: 'order.cancelled', timeoutSeconds: 86400 }, position: { x: 300, y: 0 } },
        { id: 'tell_shop', type: 'webhook', config: { endpointId: shopEp.id }, position: { x: 600, y: 0 } },
        { id: 'later', type: 'delay', config: { seconds: 86400 }, position: { x: 300, y: 200 } },
      ],
      edges: [
        { id: 'e1', source: 'trigger', target: 'cancelled' },
        { id: 'e2', source: 'trigger', target: 'later' },
        { id: 'e3', source: 'cancelled', target: 'tell_shop', sourceHandle: 'received' },
      ],
    });
    const runId = await refund(workflowId, 'wait');
    const customerId = `cus_branch_${customer}`;
    await eventually(async () => (await runOf(runId)).branches.every((b: any) => b.status === 'waiting'), 'both branches to wait');
    const shopBefore = shop.requests.length;
    await sendEvents(t, { type: 'order.cancelled', data: { orderId: 'ord_other', customerId } });
    const run = await eventually(async () => {
      const r = await runOf(runId);
      return r.branches[0].status === 'succeeded' ? r : undefined;
    }, 'the cancelled branch to go on');
    expect(shop.requests.length).toBe(shopBefore + 1);
    expect(run.branches[1]).toMatchObject({ id: '2', status: 'waiting', nodeId: 'later' });
    expect(run.status).toBe('waiting');
    expect(stepAt(run, 'cancelled').output).toMatchObject({ handle: 'received' });
  });

  it('two branches woken by two events of one batch both go on', async () => {
    const workflowId = await publishWorkflow(t, 'Cancelled and refunded again', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: trigger('two-events'), position: { x: 0, y: 0 } },
        { id: 'on_cancel', type: 'wait_for_event', config: { eventType: 'order.cancelled', timeoutSeconds: 86400 }, position: { x: 300, y: 0 } },
        { id: 'tell_cancel', type: 'webhook', config: { endpointId: shopEp.id }, position: { x: 600, y: 0 } },
        { id: 'on_refund', type: 'wait_for_event', config: { eventType: 'order.refunded', timeoutSeconds: 86400 }, position: { x: 300, y: 200 } },
        { id: 'tell_refund', type: 'webhook', config: { endpointId: shopEp.id }, position: { x: 600, y: 200 } },
      ],
      edges: [
        { id: 'e1', source: 'trigger', target: 'on_cancel' },
        { id: 'e2', source: 'trigger', target: 'on_refund' },
        { id: 'e3', source: 'on_cancel', target: 'tell_cancel', sourceHandle: 'received' },
        { id: 'e4', source: 'on_refund', target: 'tell_refund', sourceHandle: 'received' },
      ],
    });
    const runId = await refund(workflowId, 'two-events');
    const customerId = `cus_branch_${customer}`;
    await eventually(async () => (await runOf(runId)).branches.every((b: any) => b.status === 'waiting'), 'both branches to wait');
    // One request, one batch: each event wakes its own branch.
    await sendEvents(t, [
      { type: 'order.cancelled', data: { orderId: 'ord_c', customerId } },
      { type: 'order.refunded', data: { orderId: 'ord_r', customerId, amount: 1, reason: 'again' } },
    ]);
    const run = await eventually(async () => {
      const r = await runOf(runId);
      return r.status === 'succeeded' ? r : undefined;
    }, 'both branches to go on and the run to end');
    expect(run.branches.map((b: any) => b.status)).toEqual(['succeeded', 'succeeded']);
    expect(stepAt(run, 'tell_cancel')).toMatchObject({ status: 'succeeded', branch: '1' });
    expect(stepAt(run, 'tell_refund')).toMatchObject({ status: 'succeeded', branch: '2' });
  });

  it('runs call-out steps on two branches (each outside a transaction, in its own job), each saving to its own vars', async () => {
    const lookup = await startFakeApi((req) => ({ status: 200, body: { path: req.url } }));
    try {
      const workflowId = await publishWorkflow(t, 'Two lookups', {
        nodes: [
          { id: 'trigger', type: 'trigger', config: trigger('call-out'), position: { x: 0, y: 0 } },
          { id: 'ask_a', type: 'http_request', config: { method: 'GET', url: `${lookup.url}/a`, saveAs: 'answer', retries: 0 }, position: { x: 300, y: 0 } },
          { id: 'keep_a', type: 'transform', config: { fields: { got: '{{vars.answer.body.path}}' } }, position: { x: 600, y: 0 } },
          { id: 'ask_b', type: 'http_request', config: { method: 'GET', url: `${lookup.url}/b`, saveAs: 'answer', retries: 0 }, position: { x: 300, y: 200 } },
          { id: 'keep_b', type: 'transform', config: { fields: { got: '{{vars.answer.body.path}}' } }, position: { x: 600, y: 200 } },
        ],
        edges: [
          { id: 'e1', source: 'trigger', target: 'ask_a' },
          { id: 'e2', source: 'trigger', target: 'ask_b' },
          { id: 'e3', source: 'ask_a', target: 'keep_a' },
          { id: 'e4', source: 'ask_b', target: 'keep_b' },
        ],
      });
      const runId = await refund(workflowId, 'call-out');
      const run = await eventually(async () => {
        const r = await runOf(runId);
        return r.status === 'succeeded' ? r : undefined;
      }, 'both call-out branches to finish');
      expect(lookup.requests.map((r) => r.url).sort()).toEqual(['/a', '/b']);
      // each branch saw its own answer under the same name
      expect(stepAt(run, 'keep_a')).toMatchObject({ branch: '1', output: { got: '/a' } });
      expect(stepAt(run, 'keep_b')).toMatchObject({ branch: '2', output: { got: '/b' } });
    } finally {
      await lookup.close();
    }
  });

  it('dry-runs each branch in canvas order, labelled', async () => {
    const created = await json(t.api('/api/v1/workflows', { method: 'POST', json: { name: 'Dry fork', graph: forkGraph('dry') } }));
    const result = await json(
      t.api(`/api/v1/workflows/${created.id}/test`, { method: 'POST', json: { event: { type: 'order.refunded', data: { orderId: 'ord_dry', customerId: 'cus_dry', amount: 5, reason: 'dry' } } } }),
    );
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s: any) => [s.nodeId, s.branch ?? null])).toEqual([
      ['trigger', null],
      ['notify', '1'],
      ['pause_bogo', '2'],
    ]);
  });
});
