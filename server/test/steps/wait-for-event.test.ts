import { beforeAll, describe, expect, it } from 'vitest';
import { WAITS_FOR_SQL } from '../../src/db/runs.ts';
import { executeRunJob } from '../../src/engine/runs/state-machine.ts';
import { eventually, json, publishWorkflow, sendEvents, waitForIdle } from '../support/engine.ts';
import { finishedRun, useStepsStack } from './support.ts';

const stack = useStepsStack();

const order = (type: string, orderId: string, customerId: string) => ({
  type,
  data: { orderId, customerId, status: type === 'order.paid' ? 'paid' : 'pending', total: 10, currency: 'EUR', items: [{ sku: 'W', quantity: 1, price: 10 }] },
});
const payloadsFor = (customerId: string) => stack.receiver.requests.map((r) => JSON.parse(r.body)).filter((p) => p.data?.customerId === customerId);

/** trigger → wait_for_event → (received) transform → webhook; (timeout) transform → webhook. */
function waitGraph(triggerType: string, wait: Record<string, unknown>) {
  return {
    nodes: [
      { id: 'trigger', type: 'trigger', config: { eventType: triggerType } },
      { id: 'wait', type: 'wait_for_event', config: wait },
      { id: 'got', type: 'transform', config: { fields: { outcome: 'received', paidOrder: '{{vars.received.data.orderId}}' } } },
      { id: 'thank', type: 'webhook', config: { endpointId: stack.endpointId } },
      { id: 'late', type: 'transform', config: { fields: { outcome: 'timeout' } } },
      { id: 'remind', type: 'webhook', config: { endpointId: stack.endpointId } },
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'wait', sourceHandle: 'out' },
      { id: 'e2', source: 'wait', target: 'got', sourceHandle: 'received' },
      { id: 'e3', source: 'got', target: 'thank', sourceHandle: 'out' },
      { id: 'e4', source: 'wait', target: 'late', sourceHandle: 'timeout' },
      { id: 'e5', source: 'late', target: 'remind', sourceHandle: 'out' },
    ],
  };
}

async function waitingRun(workflowId: string, subject: string): Promise<string> {
  return eventually(async () => {
    const { rows } = await stack.t.ctx.pool.query(
      `select r.id from runs r join run_waits w on w.run_id = r.id where r.workflow_id = $1 and r.subject = $2 and r.status = 'waiting'`,
      [workflowId, subject],
    );
    return rows[0]?.id as string | undefined;
  }, `a run of ${subject} waiting for its event`);
}

const waitsOf = async (runId: string) => (await stack.t.ctx.pool.query('select event_type, correlation_key from run_waits where run_id = $1', [runId])).rows;
const stepIds = (run: { steps: { nodeId: string }[] }) => run.steps.map((s) => s.nodeId);

describe('wait_for_event', () => {
  let sameOrder: string;
  beforeAll(async () => {
    sameOrder = await publishWorkflow(
      stack.t,
      'Paid within the hour',
      waitGraph('order.created', { eventType: 'order.paid', timeoutSeconds: 3600, match: { '==': [{ var: 'data.orderId' }, { var: 'trigger.data.orderId' }] } }),
    );
  });

  it('parks the run in run_waits keyed by event type and subject, refuses an event its match rejects, and resumes on received with the event at vars.received', async () => {
    await sendEvents(stack.t, order('order.created', 'w-1', 'cus_w1'));
    const runId = await waitingRun(sameOrder, 'cus_w1');
    expect(await waitsOf(runId)).toEqual([{ event_type: 'order.paid', correlation_key: 'cus_w1' }]);

    // the same customer pays another order: the match refuses it, the run keeps waiting
    await sendEvents(stack.t, order('order.paid', 'w-other', 'cus_w1'));
    await waitForIdle(stack.t);
    expect((await json(stack.t.api(`/api/v1/runs/${runId}`))).status).toBe('waiting');
    expect(await waitsOf(runId)).toHaveLength(1);

    await sendEvents(stack.t, order('order.paid', 'w-1', 'cus_w1'));
    const run = await finishedRun(stack.t, sameOrder, 'cus_w1');
    expect(run.status).toBe('succeeded');
    expect(stepIds(run)).toEqual(['trigger', 'wait', 'got', 'thank']);
    const wait = run.steps.find((s: { nodeId: string }) => s.nodeId === 'wait');
    expect(wait.output).toMatchObject({ eventType: 'order.paid', correlationKey: 'cus_w1', handle: 'received' });
    const sent = await eventually(async () => payloadsFor('cus_w1')[0], 'the thank-you webhook');
    expect(sent.vars).toMatchObject({ outcome: 'received', paidOrder: 'w-1', received: { type: 'order.paid', data: { orderId: 'w-1' } } });
    expect(await waitsOf(runId)).toEqual([]);
  });

  it('is woken by an event that arrives in the same batch as the one that started the run', async () => {
    await sendEvents(stack.t, [order('order.created', 'w-2', 'cus_w2'), order('order.paid', 'w-2', 'cus_w2')]);
    const run = await finishedRun(stack.t, sameOrder, 'cus_w2');
    expect(stepIds(run)).toEqual(['trigger', 'wait', 'got', 'thank']);
  });

  it('takes timeout when no matching event arrives in time', async () => {
    const id = await publishWorkflow(stack.t, 'Paid within a second', waitGraph('customer.created', { eventType: 'order.paid', timeoutSeconds: 1 }));
    await sendEvents(stack.t, { type: 'customer.created', data: { customerId: 'cus_w3', email: 'w3@test.local' } });
    const runId = await waitingRun(id, 'cus_w3');
    const run = await finishedRun(stack.t, id, 'cus_w3');
    expect(stepIds(run)).toEqual(['trigger', 'wait', 'late', 'remind']);
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'wait').output.handle).toBe('timeout');
    expect(await waitsOf(runId)).toEqual([]);
    // a payment after the timeout wakes nothing
    await sendEvents(stack.t, order('order.paid', 'w-3', 'cus_w3'));
    await waitForIdle(stack.t);
    expect(stepIds(await json(stack.t.api(`/api/v1/runs/${runId}`)))).toEqual(['trigger', 'wait', 'late', 'remind']);
  });

  it('takes exactly one path when the event and the timeout arrive at the same moment', async () => {
    const id = await publishWorkflow(stack.t, 'Race', waitGraph('customer.updated', { eventType: 'order.paid', timeoutSeconds: 3600 }));
    const outcomes: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      const customerId = `cus_race${n}`;
      await sendEvents(stack.t, { type: 'customer.updated', data: { customerId } });
      const runId = await waitingRun(id, customerId);
      await stack.t.ctx.pool.query(`update run_waits set expires_at = now() - interval '1 second' where run_id = $1`, [runId]);
      // Hold the run's lock while both wakers start: each blocks on it, then both go at once.
      const holder = await stack.t.ctx.pool.connect();
      try {
        await holder.query('begin');
        await holder.query('select 1 from runs where id = $1 for update', [runId]);
        const timer = executeRunJob(stack.t.ctx, runId);
        await sendEvents(stack.t, order('order.paid', `race-${n}`, customerId));
        await eventually(async () => {
          const { rows } = await stack.t.ctx.pool.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
          return rows[0].n >= 2;
        }, 'the event and the timeout both waiting for the run');
        await holder.query('commit');
        await timer;
      } finally {
        holder.release();
      }
      const run = await finishedRun(stack.t, id, customerId);
      const ids = stepIds(run);
      const took = run.steps.find((s: { nodeId: string }) => s.nodeId === 'wait').output.handle;
      expect(ids).toEqual(took === 'received' ? ['trigger', 'wait', 'got', 'thank'] : ['trigger', 'wait', 'late', 'remind']);
      expect(run.deliveries).toHaveLength(1);
      await waitForIdle(stack.t);
      expect(payloadsFor(customerId)).toHaveLength(1);
      expect(await waitsOf(runId)).toEqual([]);
      outcomes.push(took);
    }
    expect(outcomes.every((o) => o === 'received' || o === 'timeout')).toBe(true);
  });

  it('deletes the waits of a cancelled run, so a later event wakes nothing', async () => {
    await sendEvents(stack.t, order('order.created', 'w-5', 'cus_w5'));
    const runId = await waitingRun(sameOrder, 'cus_w5');
    const cancelled = await stack.t.api(`/api/v1/runs/${runId}/cancel`, { method: 'POST', json: {} });
    expect(cancelled.status).toBe(200);
    expect(await waitsOf(runId)).toEqual([]);
    await sendEvents(stack.t, order('order.paid', 'w-5', 'cus_w5'));
    await waitForIdle(stack.t);
    const run = await json(stack.t.api(`/api/v1/runs/${runId}`));
    expect(run.status).toBe('cancelled');
    expect(stepIds(run)).toEqual(['trigger', 'wait']);
    expect(payloadsFor('cus_w5')).toEqual([]);
  });

  it('takes timeout at once in a dry run, saying what it would wait for', async () => {
    const res = await json(stack.t.api(`/api/v1/workflows/${sameOrder}/test`, { method: 'POST', json: { event: order('order.created', 'd-1', 'cus_dry') } }));
    expect(res.path).toEqual(['trigger', 'wait', 'late', 'remind']);
    expect(res.steps[1].output).toMatchObject({ dryRun: true, wouldWaitFor: 'order.paid', correlationKey: 'cus_dry', handle: 'timeout' });
  });
});

describe('wait_for_event inside a for_each', () => {
  it('waits once per item, each wait keyed by its iteration, and resumes into the right one', async () => {
    const id = await publishWorkflow(stack.t, 'A payment per item', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.created' } },
        { id: 'each', type: 'for_each', config: { items: { var: 'data.items' } } },
        { id: 'wait', type: 'wait_for_event', config: { eventType: 'order.paid', timeoutSeconds: 3600 } },
        { id: 'got', type: 'transform', config: { fields: { sku: '{{item.sku}}', paidOrder: '{{vars.received.data.orderId}}' } } },
        { id: 'tell', type: 'webhook', config: { endpointId: stack.endpointId } },
      ],
      edges: [
        { id: 'e1', source: 'trigger', target: 'each', sourceHandle: 'out' },
        { id: 'e2', source: 'each', target: 'wait', sourceHandle: 'each' },
        { id: 'e3', source: 'wait', target: 'got', sourceHandle: 'received' },
        { id: 'e4', source: 'got', target: 'tell', sourceHandle: 'out' },
      ],
    });
    const created = order('order.created', 'it-1', 'cus_w6');
    created.data.items = [{ sku: 'A', quantity: 1, price: 5 }, { sku: 'B', quantity: 1, price: 5 }];
    await sendEvents(stack.t, created);
    const runId = await waitingRun(id, 'cus_w6');
    const iterations = async () => (await stack.t.ctx.pool.query('select iteration from run_waits where run_id = $1', [runId])).rows.map((r) => r.iteration);
    expect(await iterations()).toEqual([0]);
    await sendEvents(stack.t, order('order.paid', 'pay-a', 'cus_w6'));
    await eventually(async () => (await iterations())[0] === 1, 'the second iteration to wait');
    await sendEvents(stack.t, order('order.paid', 'pay-b', 'cus_w6'));
    const run = await finishedRun(stack.t, id, 'cus_w6');
    expect(run.status).toBe('succeeded');
    const sent = await eventually(async () => (payloadsFor('cus_w6').length === 2 ? payloadsFor('cus_w6') : undefined), 'a webhook per item');
    expect(sent.map((p) => [p.index, p.vars.sku, p.vars.paidOrder])).toEqual([[0, 'A', 'pay-a'], [1, 'B', 'pay-b']]);
  });
});

describe('finding waiting runs', () => {
  it('is an index lookup by (event type, correlation key) among many waiting runs, not a scan', async () => {
    const db = stack.t.ctx.pool;
    await db.query(`insert into workflows (id, name, draft) values ('wf_many_waits', 'many waits', '{}') on conflict do nothing`);
    await db.query(
      `insert into runs (id, workflow_id, version, event_id, event_type, subject, status, current_node)
       select 'run_mw_' || g, 'wf_many_waits', 1, 'evt_mw_' || g, 'cart.abandoned', 'cus_mw_' || g, 'waiting', 'wait' from generate_series(1, 5000) g`,
    );
    await db.query(
      `insert into run_waits (run_id, node_id, event_type, correlation_key, expires_at)
       select 'run_mw_' || g, 'wait', case when g % 2 = 0 then 'order.paid' else 'cart.updated' end, 'cus_mw_' || g, now() + interval '1 hour'
         from generate_series(1, 5000) g`,
    );
    await db.query('analyze run_waits');
    const { rows } = await db.query(`explain (format json) ${WAITS_FOR_SQL}`, ['order.paid', 'cus_mw_42']);
    type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] };
    const scans: PlanNode[] = [];
    const walk = (n: PlanNode) => {
      if (n['Relation Name'] === 'run_waits') scans.push(n);
      n.Plans?.forEach(walk);
    };
    walk(rows[0]['QUERY PLAN'][0].Plan);
    expect(scans.map((n) => [n['Node Type'].replace('Bitmap Heap Scan', 'Index Scan'), n['Index Name'] ?? n.Plans?.[0]?.['Index Name']])).toEqual([['Index Scan', 'run_waits_match']]);
    expect((await db.query(WAITS_FOR_SQL, ['order.paid', 'cus_mw_42'])).rows).toEqual([
      { run_id: 'run_mw_42', node_id: 'wait', iteration: -1, workflow_id: 'wf_many_waits', version: 1, event_id: 'evt_mw_42' },
    ]);
    await db.query(`delete from workflows where id = 'wf_many_waits'`);
  });
});
