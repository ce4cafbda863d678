import { beforeAll, describe, expect, it } from 'vitest';
import { executeRunJob } from '../../src/engine/runs/state-machine.ts';
import { eventually, json, publishWorkflow, sendEvents } from '../support/engine.ts';
import { startReceiver } from '../support/receiver.ts';
import { finishedRun, order, useStepsStack } from './support.ts';

const stack = useStepsStack();

const payloadsFor = (customerId: string) => stack.receiver.requests.map((r) => JSON.parse(r.body)).filter((p) => p.data?.customerId === customerId);
const items = (...skus: string[]) => skus.map((sku, i) => ({ sku, quantity: i + 1, price: 10 }));

/** trigger → for_each over data.items → (each) [delay →] transform → webhook; (done) stop. */
const perItemGraph = (withDelay: boolean) => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'order.created' } },
    { id: 'each', type: 'for_each', config: { items: { var: 'data.items' } } },
    ...(withDelay ? [{ id: 'pause', type: 'delay', config: { seconds: 1 } }] : []),
    { id: 'label', type: 'transform', config: { fields: { line: '{{index}}: {{item.sku}} x{{item.quantity}}' } } },
    { id: 'tell', type: 'webhook', config: { endpointId: stack.endpointId } },
    { id: 'finish', type: 'stop', config: { reason: 'every item sent' } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'each', sourceHandle: 'out' },
    ...(withDelay
      ? [
          { id: 'e2', source: 'each', target: 'pause', sourceHandle: 'each' },
          { id: 'e3', source: 'pause', target: 'label', sourceHandle: 'out' },
        ]
      : [{ id: 'e2', source: 'each', target: 'label', sourceHandle: 'each' }]),
    { id: 'e4', source: 'label', target: 'tell', sourceHandle: 'out' },
    { id: 'e5', source: 'each', target: 'finish', sourceHandle: 'done' },
  ],
});

describe('for_each', () => {
  let workflowId: string;
  beforeAll(async () => {
    workflowId = await publishWorkflow(stack.t, 'Each item', perItemGraph(true));
  });

  it('runs the each branch once per item in order, parked by a delay and a webhook inside it, with item and index in templates and in the webhook payload, then done', async () => {
    await sendEvents(stack.t, order('fe-1', 'cus_fe1', 60, items('A', 'B', 'C')));
    const run = await finishedRun(stack.t, workflowId, 'cus_fe1');
    expect(run.status).toBe('succeeded');

    const sent = payloadsFor('cus_fe1');
    expect(sent.map((p) => [p.index, p.item.sku])).toEqual([[0, 'A'], [1, 'B'], [2, 'C']]);
    expect(sent.map((p) => p.vars.line)).toEqual(['0: A x1', '1: B x2', '2: C x3']);

    // the history: the loop once, every step of the branch once per iteration with its index, then done
    const steps = run.steps.map((s: { nodeId: string; iteration?: number }) => `${s.nodeId}${s.iteration === undefined ? '' : `#${s.iteration}`}`);
    expect(steps).toEqual(['trigger', 'each', 'pause#0', 'label#0', 'tell#0', 'pause#1', 'label#1', 'tell#1', 'pause#2', 'label#2', 'tell#2', 'finish']);
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'each').output).toEqual({ count: 3 });
    expect(run.deliveries.map((d: { nodeId: string; iteration: number; status: string }) => [d.nodeId, d.iteration, d.status])).toEqual([
      ['tell', 0, 'succeeded'],
      ['tell', 1, 'succeeded'],
      ['tell', 2, 'succeeded'],
    ]);
  });

  it('takes done straight away for an empty list', async () => {
    await sendEvents(stack.t, order('fe-2', 'cus_fe2', 0, []));
    const run = await finishedRun(stack.t, workflowId, 'cus_fe2');
    expect(run.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['trigger', 'each', 'finish']);
  });

  it('fails the run with a clear error naming the node when the list is longer than the default limit of 100', async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ sku: `S${i}`, quantity: 1, price: 1 }));
    await sendEvents(stack.t, order('fe-3', 'cus_fe3', 101, many));
    const run = await finishedRun(stack.t, workflowId, 'cus_fe3');
    expect(run.status).toBe('failed');
    expect(run.error).toBe('each: "items" gave 101 items; this step allows at most 100 (maxItems)');
    expect(payloadsFor('cus_fe3')).toEqual([]);
  });

  it('never sends an iteration twice: a slice run again (a redelivered job, a crash before the run moved on) finds the delivery by (run, node, iteration)', async () => {
    const id = await publishWorkflow(stack.t, 'Each item, no delay', perItemGraph(false));
    await sendEvents(stack.t, order('fe-4', 'cus_fe4', 30, items('X', 'Y')));
    const run = await finishedRun(stack.t, id, 'cus_fe4');
    expect(run.status).toBe('succeeded');
    // Counted by this run's delivery ids: the "Each item" workflow (with delays) runs on the
    // same event and posts for the same customer, at its own pace.
    const deliveryIds = run.deliveries.map((d: { id: string }) => d.id);
    const sentForRun = () => stack.receiver.requests.filter((r) => deliveryIds.includes(r.headers['webhook-id'])).map((r) => r.headers['webhook-id']);
    expect(sentForRun()).toHaveLength(2);

    // Put the run back where it stood before iteration 1's webhook step, as a slice that
    // never committed its move would have left it, and run that slice again.
    const { rows } = await stack.t.ctx.pool.query(`select loop_state from runs where id = $1`, [run.id]);
    expect(rows[0].loop_state).toBeNull();
    const loopState = { nodeId: 'each', items: items('X', 'Y'), index: 1, vars: {} };
    await stack.t.ctx.pool.query(`delete from run_steps where run_id = $1 and node_id = 'tell' and iteration = 1`, [run.id]);
    await stack.t.ctx.pool.query(`update runs set status = 'running', current_node = 'tell', loop_state = $2, finished_at = null where id = $1`, [run.id, JSON.stringify(loopState)]);
    await executeRunJob(stack.t.ctx, run.id);

    const again = await json(stack.t.api(`/api/v1/runs/${run.id}`));
    const tell1 = again.steps.find((s: { nodeId: string; iteration?: number }) => s.nodeId === 'tell' && s.iteration === 1);
    expect(tell1.output.deliveryId).toBe(run.deliveries[1].id);
    const { rows: deliveries } = await stack.t.ctx.pool.query(`select iteration from deliveries where run_id = $1 order by iteration`, [run.id]);
    expect(deliveries.map((d) => d.iteration)).toEqual([0, 1]);
    await eventually(async () => (await json(stack.t.api(`/api/v1/runs/${run.id}`))).status === 'succeeded', 'the run to finish again');
    expect(sentForRun().sort()).toEqual([...deliveryIds].sort());

    // and the key itself refuses a second delivery for the same iteration
    await expect(
      stack.t.ctx.pool.query(
        `insert into deliveries (id, endpoint_id, event_id, event_type, run_id, node_id, iteration, payload, status)
         select 'msg_dup', endpoint_id, event_id, event_type, run_id, node_id, iteration, payload, 'pending' from deliveries where run_id = $1 and iteration = 1`,
        [run.id],
      ),
    ).rejects.toThrow(/deliveries_step_once/);
  });

  it('retries a run that failed inside an iteration from that iteration: its delivery sent again, then the next items', async () => {
    const flaky = await startReceiver(500);
    try {
      const flakyId = (await json(stack.t.api('/api/v1/endpoints', { method: 'POST', json: { url: flaky.url, eventTypes: [] } }))).id;
      const id = await publishWorkflow(stack.t, 'Each item, flaky receiver', {
        nodes: [
          { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' } },
          { id: 'each', type: 'for_each', config: { items: { var: 'data.items' } } },
          { id: 'tell', type: 'webhook', config: { endpointId: flakyId } },
        ],
        edges: [
          { id: 'e1', source: 'trigger', target: 'each', sourceHandle: 'out' },
          { id: 'e2', source: 'each', target: 'tell', sourceHandle: 'each' },
        ],
      });
      await sendEvents(stack.t, { type: 'order.paid', data: { orderId: 'fe-5', customerId: 'cus_fe5', status: 'paid', total: 3, currency: 'EUR', items: items('R', 'S') } });
      const failed = await finishedRun(stack.t, id, 'cus_fe5');
      expect(failed.status).toBe('failed');
      expect(failed.steps.map((s: { nodeId: string; iteration?: number; status: string }) => [s.nodeId, s.iteration, s.status])).toEqual([
        ['trigger', undefined, 'succeeded'],
        ['each', undefined, 'succeeded'],
        ['tell', 0, 'failed'],
      ]);
      flaky.status = 200;
      expect((await stack.t.api(`/api/v1/runs/${failed.id}/retry`, { method: 'POST', json: {} })).status).toBe(200);
      await eventually(async () => (await json(stack.t.api(`/api/v1/runs/${failed.id}`))).status === 'succeeded', 'the retried run to finish');
      const run = await json(stack.t.api(`/api/v1/runs/${failed.id}`));
      expect(run.steps.map((s: { nodeId: string; iteration?: number; status: string }) => [s.nodeId, s.iteration, s.status]).slice(2)).toEqual([
        ['tell', 0, 'succeeded'],
        ['tell', 1, 'succeeded'],
      ]);
      const got = flaky.requests.map((r) => JSON.parse(r.body)).filter((p) => p.data.customerId === 'cus_fe5');
      expect(got.at(-1).item.sku).toBe('S');
      expect(run.deliveries.map((d: { iteration: number }) => d.iteration)).toEqual([0, 1]);
    } finally {
      await flaky.close();
    }
  });

  it('shows every iteration in a dry run, with item and index in scope', async () => {
    const res = await json(
      stack.t.api(`/api/v1/workflows/${workflowId}/test`, { method: 'POST', json: { event: { data: { orderId: 'd', customerId: 'cus_dry', status: 'pending', total: 1, currency: 'EUR', items: items('P', 'Q') } } } }),
    );
    expect(res.status).toBe('succeeded');
    const labels = res.steps.filter((s: { nodeId: string }) => s.nodeId === 'label');
    expect(labels.map((s: { iteration: number; output: { line: string } }) => [s.iteration, s.output.line])).toEqual([[0, '0: P x1'], [1, '1: Q x2']]);
    const hooks = res.steps.filter((s: { nodeId: string }) => s.nodeId === 'tell');
    expect(hooks.map((s: { output: { payload: { item: { sku: string }; index: number } } }) => [s.output.payload.index, s.output.payload.item.sku])).toEqual([[0, 'P'], [1, 'Q']]);
    expect(res.path.at(-1)).toBe('finish');
  });
});

describe('for_each inside for_each', () => {
  it('fails clearly instead of numbering iterations twice', async () => {
    const id = await publishWorkflow(stack.t, 'Nested', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' } },
        { id: 'outer', type: 'for_each', config: { items: { var: 'data.items' } } },
        { id: 'inner', type: 'for_each', config: { items: { var: 'data.items' } } },
      ],
      edges: [
        { id: 'e1', source: 'trigger', target: 'outer', sourceHandle: 'out' },
        { id: 'e2', source: 'outer', target: 'inner', sourceHandle: 'each' },
      ],
    });
    await sendEvents(stack.t, { type: 'order.paid', data: { orderId: 'n-1', customerId: 'cus_nested', status: 'paid', total: 1, currency: 'EUR', items: items('A') } });
    const run = await finishedRun(stack.t, id, 'cus_nested');
    expect(run.status).toBe('failed');
    expect(run.error).toContain('inner: a for_each cannot run inside another for_each');
  });
});
