import { Webhook } from 'standardwebhooks';
import type { WorkflowGraph } from '@tripline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, publishWorkflow, sendEvents, waitForIdle } from '../support/engine.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
let receiver: Receiver;
let endpoint: { id: string; secret: string };
let campaignId: string;

beforeAll(async () => {
  t = await startTestTripline();
  receiver = await startReceiver();
  endpoint = await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: receiver.url, eventTypes: [] } }));
  campaignId = (await json(t.api('/api/v1/campaigns', { method: 'POST', json: { name: 'VIP early access', kind: 'custom' } }))).id;
});
afterAll(async () => {
  await t?.stop();
  await receiver?.close();
});

const goldGraph = (): WorkflowGraph => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'customer.ltv_tier_changed' } },
    { id: 'is_gold', type: 'condition', config: { rule: { and: [{ '==': [{ var: 'data.to' }, 'gold'] }, { '!': { in: ['wholesale', { var: 'data.segments' }] } }] } } },
    { id: 'tag', type: 'transform', config: { fields: { who: '{{data.customerId}}', ltv: '{{data.ltv}}' } } },
    { id: 'vip', type: 'campaign', config: { campaignId, action: 'activate' } },
    { id: 'notify', type: 'webhook', config: { endpointId: endpoint.id } },
    { id: 'skip', type: 'stop', config: { reason: 'not gold' } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'is_gold' },
    { id: 'e2', source: 'is_gold', target: 'tag', sourceHandle: 'true' },
    { id: 'e3', source: 'is_gold', target: 'skip', sourceHandle: 'false' },
    { id: 'e4', source: 'tag', target: 'vip' },
    { id: 'e5', source: 'vip', target: 'notify' },
  ],
});

const order = (orderId: string, customerId: string, total: number) => ({
  type: 'order.created',
  data: { orderId, customerId, status: 'paid', total, currency: 'EUR', items: [{ sku: 'X', quantity: 1, price: total }] },
});

describe('a published workflow, end to end', () => {
  let workflowId: string;

  it('runs trigger → condition → transform → campaign → webhook when an order moves a customer to gold', async () => {
    workflowId = await publishWorkflow(t, 'Gold → VIP', goldGraph());
    await sendEvents(t, order('w-1', 'cus_gold', 620));
    const hook = await eventually(async () => receiver.requests.find((r) => r.body.includes('cus_gold')), 'the webhook');
    // The receiver verifies it with an off-the-shelf Standard Webhooks library.
    const payload = new Webhook(endpoint.secret).verify(hook.body, hook.headers as Record<string, string>) as any;
    expect(payload).toMatchObject({ type: 'customer.ltv_tier_changed', data: { customerId: 'cus_gold', to: 'gold' }, vars: { who: 'cus_gold', ltv: 620 } });

    const run = await eventually(async () => {
      const page = await json(t.api(`/api/v1/runs?workflowId=${workflowId}`));
      return page.data[0]?.status === 'succeeded' ? page.data[0] : undefined;
    }, 'the run to succeed');
    const detail = await json(t.api(`/api/v1/runs/${run.id}`));
    expect(detail.steps.map((s: any) => [s.nodeId, s.status])).toEqual([
      ['trigger', 'succeeded'],
      ['is_gold', 'succeeded'],
      ['tag', 'succeeded'],
      ['vip', 'succeeded'],
      ['notify', 'succeeded'],
    ]);
    expect(detail.steps[1].output).toEqual({ result: true });
    expect(detail.deliveries).toHaveLength(1);
    expect(detail.event.type).toBe('customer.ltv_tier_changed');

    const campaign = await json(t.api(`/api/v1/campaigns/${campaignId}`));
    expect(campaign.status).toBe('active');
    const activations = await json(t.api(`/api/v1/campaigns/${campaignId}/activations`));
    expect(activations.data[0]).toMatchObject({ action: 'activate', runId: run.id, customerId: 'cus_gold' });
  });

  it('takes the false branch for a wholesale customer and sends nothing', async () => {
    const before = receiver.requests.length;
    await sendEvents(t, { type: 'customer.created', data: { customerId: 'cus_wholesale', tags: ['wholesale'] } });
    await waitForIdle(t);
    await sendEvents(t, order('w-2', 'cus_wholesale', 700));
    await waitForIdle(t);
    const page = await json(t.api(`/api/v1/runs?workflowId=${workflowId}&subject=cus_wholesale`));
    const detail = await json(t.api(`/api/v1/runs/${page.data[0].id}`));
    expect(detail.steps.map((s: any) => s.nodeId)).toEqual(['trigger', 'is_gold', 'skip']);
    expect(receiver.requests.length).toBe(before);
  });

  it('starts exactly one run per event even when the event is sent twice', async () => {
    // Clients send only raw events (derived ones are Tripline's): the same order twice moves
    // the customer to gold once, and its derived tier change starts one run.
    await sendEvents(t, { id: 'tier-direct-1', ...order('tier-direct-o', 'cus_direct', 600) });
    await sendEvents(t, { id: 'tier-direct-1', ...order('tier-direct-o', 'cus_direct', 600) });
    await waitForIdle(t);
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from runs where event_id = 'tier-direct-1~tier:gold'`);
    expect(rows[0].n).toBe(1);
  });

  it('keeps running the version a run started on after a new version is published', async () => {
    const { rows } = await t.ctx.pool.query(`select distinct version from runs where workflow_id = $1`, [workflowId]);
    expect(rows).toEqual([{ version: 1 }]);
    const wf = await json(t.api(`/api/v1/workflows/${workflowId}`));
    const graph = { ...wf.graph, nodes: wf.graph.nodes.map((n: any) => (n.id === 'skip' ? { ...n, config: { reason: 'v2' } } : n)) };
    await t.api(`/api/v1/workflows/${workflowId}`, { method: 'PUT', json: { graph, revision: wf.revision } });
    const published = await json(t.api(`/api/v1/workflows/${workflowId}/publish`, { method: 'POST', json: {} }));
    expect(published.publishedVersion).toBe(2);
    const versions = await json(t.api(`/api/v1/workflows/${workflowId}/versions`));
    expect(versions.data.map((v: any) => v.version)).toEqual([2, 1]);
    const v1 = await t.ctx.pool.query(`select graph from workflow_versions where workflow_id = $1 and version = 1`, [workflowId]);
    expect(v1.rows[0].graph.nodes.find((n: any) => n.id === 'skip').config.reason).toBe('not gold');
  });

  it('refuses a stale revision with 409 instead of overwriting', async () => {
    const wf = await json(t.api(`/api/v1/workflows/${workflowId}`));
    const ok = await t.api(`/api/v1/workflows/${workflowId}`, { method: 'PUT', json: { name: 'First editor', revision: wf.revision } });
    expect(ok.status).toBe(200);
    const stale = await t.api(`/api/v1/workflows/${workflowId}`, { method: 'PUT', json: { name: 'Second editor', revision: wf.revision } });
    expect(stale.status).toBe(409);
    expect((await json(stale)).error.code).toBe('revision_conflict');
  });
});

describe('validation, dry run, retry, cancel, loop protection', () => {
  it('refuses to publish an invalid graph, naming the node and field', async () => {
    const created = await json(t.api('/api/v1/workflows', {
      method: 'POST',
      json: {
        name: 'Broken',
        graph: {
          nodes: [
            { id: 't', type: 'trigger', config: { eventType: 'order.created' } },
            { id: 'c', type: 'condition', config: { rule: { method: [{ var: 'data' }, 'toString'] } } },
          ],
          edges: [{ id: 'e', source: 't', target: 'c' }],
        },
      },
    }));
    const res = await t.api(`/api/v1/workflows/${created.id}/publish`, { method: 'POST', json: {} });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.code).toBe('invalid_workflow');
    expect(body.error.details).toContainEqual(expect.objectContaining({ nodeId: 'c', path: 'rule.method', message: 'operator "method" is not allowed' }));
  });

  it('dry-runs the draft: path and outputs, no side effects', async () => {
    const created = await json(t.api('/api/v1/workflows', { method: 'POST', json: { name: 'Dry', graph: goldGraph() } }));
    const before = receiver.requests.length;
    const result = await json(t.api(`/api/v1/workflows/${created.id}/test`, {
      method: 'POST',
      json: { event: { data: { customerId: 'cus_dry', from: 'silver', to: 'gold', ltv: 510, segments: [] } } },
    }));
    expect(result.status).toBe('succeeded');
    expect(result.path).toEqual(['trigger', 'is_gold', 'tag', 'vip', 'notify']);
    expect(result.steps.at(-1).output).toMatchObject({ dryRun: true, wouldDeliverTo: receiver.url });
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from runs where workflow_id = $1`, [created.id]);
    expect(rows[0].n).toBe(0);
    expect(receiver.requests.length).toBe(before);
  });

  it('fails a run whose webhook cannot be delivered, and retries it from that step', async () => {
    const down = await startReceiver(500);
    const ep = await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: down.url, eventTypes: [] } }));
    const id = await publishWorkflow(t, 'Fails then recovers', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.refunded' } },
        { id: 'notify', type: 'webhook', config: { endpointId: ep.id } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'notify' }],
    });
    await sendEvents(t, { type: 'order.refunded', data: { orderId: 'r-1', customerId: 'cus_refund', amount: 5 } });
    const failed = await eventually(async () => {
      const page = await json(t.api(`/api/v1/runs?workflowId=${id}&status=failed`));
      return page.data[0];
    }, 'the run to fail after the delivery retries');
    expect(failed.error).toMatch(/^notify: delivery failed/);
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from events where type = 'run.failed' and data->>'runId' = $1`, [failed.id]);
    expect(rows[0].n).toBe(1);

    down.status = 200;
    const retry = await t.api(`/api/v1/runs/${failed.id}/retry`, { method: 'POST' });
    expect(retry.status).toBe(200);
    await eventually(async () => (await json(t.api(`/api/v1/runs/${failed.id}`))).status === 'succeeded', 'the retried run to succeed');
    const detail = await json(t.api(`/api/v1/runs/${failed.id}`));
    expect(detail.steps.find((s: any) => s.nodeId === 'notify')).toMatchObject({ status: 'succeeded', attempts: 2 });
    await down.close();
  });

  it('cancels a run waiting on a delay', async () => {
    const id = await publishWorkflow(t, 'Waits', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'discount.applied' } },
        { id: 'wait', type: 'delay', config: { seconds: 3600 } },
        { id: 'end', type: 'stop', config: {} },
      ],
      edges: [
        { id: 'e1', source: 'trigger', target: 'wait' },
        { id: 'e2', source: 'wait', target: 'end' },
      ],
    });
    await sendEvents(t, { type: 'discount.applied', data: { code: 'X', customerId: 'cus_wait', amount: 1 } });
    const waiting = await eventually(async () => (await json(t.api(`/api/v1/runs?workflowId=${id}&status=waiting`))).data[0], 'a waiting run');
    expect(waiting.currentNode).toBe('wait');
    const res = await json(t.api(`/api/v1/runs/${waiting.id}/cancel`, { method: 'POST' }));
    expect(res.status).toBe('cancelled');
    const again = await t.api(`/api/v1/runs/${waiting.id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
  });

  it('stops a chain of workflows at the depth limit and says why', async () => {
    await t.ctx.pool.query(`insert into settings (key, value) values ('maxChainDepth', '3') on conflict (key) do update set value = excluded.value`);
    const loop = await json(t.api('/api/v1/campaigns', { method: 'POST', json: { name: 'Ping-pong', kind: 'custom' } }));
    // Activating the campaign emits campaign.activated, which triggers the same workflow again.
    await publishWorkflow(t, 'Loops forever', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'campaign.activated', filter: { '==': [{ var: 'data.campaignId' }, loop.id] } } },
        { id: 'again', type: 'campaign', config: { campaignId: loop.id, action: 'activate' } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'again' }],
    });
    await t.api(`/api/v1/campaigns/${loop.id}/activate`, { method: 'POST', json: {} });
    const stopped = await eventually(async () => {
      const { rows } = await t.ctx.pool.query(`select * from runs where error like 'loop protection%'`);
      return rows[0];
    }, 'the loop to be stopped');
    expect(stopped.depth).toBe(3);
    expect(stopped.error).toContain('limit 3');
    await waitForIdle(t);
    // One by the person, then one per run at depths 0, 1 and 2; the run at depth 3 never starts.
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from campaign_activations where campaign_id = $1`, [loop.id]);
    expect(rows[0].n).toBe(4);
  });
});
