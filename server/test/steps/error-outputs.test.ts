import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRole } from '../accounts/support.ts';
import { eventually, json, publishWorkflow, sendEvents } from '../support/engine.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { chain, finishedRun, order, startFakeApi, type FakeApi } from './support.ts';

let t: TestTripline;
let api: FakeApi;
let onCall: Receiver;
let broken: Receiver;
let onCallId: string;
let brokenId: string;

beforeAll(async () => {
  t = await startTestTripline();
  api = await startFakeApi((req) => (req.url.startsWith('/down') ? { status: 500, body: { error: 'down' } } : { status: 200, body: { score: 70 } }));
  onCall = await startReceiver();
  broken = await startReceiver(500);
  onCallId = (await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: onCall.url, eventTypes: [] } }))).id;
  brokenId = (await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: broken.url, eventTypes: [] } }))).id;
});
afterAll(async () => {
  await t?.stop();
  await api?.close();
  await onCall?.close();
  await broken?.close();
});

const runFailedFor = async (runId: string) =>
  (await t.ctx.pool.query(`select 1 from events where type = 'run.failed' and data->>'runId' = $1`, [runId])).rowCount;

describe('error outputs', () => {
  it('continues on a connected error output of an http_request with error {nodeId, message} in scope, and the run succeeds', async () => {
    const id = await publishWorkflow(t, 'Score or alert', chain('order.created', [
      { id: 'score', type: 'http_request', config: { method: 'GET', url: `${api.url}/down`, saveAs: 'score', retries: 0 } },
      { id: 'alert', type: 'webhook', config: { endpointId: onCallId }, from: 'score', handle: 'error' },
    ]));
    await sendEvents(t, order('err-1', 'cus_err1', 10));
    const run = await finishedRun(t, id, 'cus_err1');
    expect(run.status).toBe('succeeded');
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'score')).toMatchObject({ status: 'failed' });
    const sent = JSON.parse(onCall.requests.at(-1)!.body);
    expect(JSON.stringify(sent)).toContain('answered HTTP 500');
    expect(JSON.stringify(sent)).toContain('"nodeId":"score"');
    expect(await runFailedFor(run.id)).toBe(0);
  });

  it('follows a webhook step\'s error output once its delivery failed for good, with the failure at the top-level error', async () => {
    const id = await publishWorkflow(t, 'Notify or escalate', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' } },
        { id: 'notify', type: 'webhook', config: { endpointId: brokenId } },
        { id: 'note', type: 'transform', config: { fields: { failedNode: '{{error.nodeId}}', why: '{{error.message}}' } } },
        { id: 'escalate', type: 'webhook', config: { endpointId: onCallId } },
      ],
      edges: [
        { id: 'e1', source: 'trigger', target: 'notify' },
        { id: 'e2', source: 'notify', target: 'note', sourceHandle: 'error' },
        { id: 'e3', source: 'note', target: 'escalate' },
      ],
    });
    await sendEvents(t, { type: 'order.paid', data: { orderId: 'err-2', customerId: 'cus_err2', status: 'paid', total: 10, currency: 'EUR', items: [] } });
    const run = await finishedRun(t, id, 'cus_err2');
    expect(run.status).toBe('succeeded');
    expect(run.path ?? run.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(expect.arrayContaining(['notify', 'note', 'escalate']));
    expect(broken.requests.length).toBeGreaterThan(1);
    const escalation = await eventually(async () => onCall.requests.find((r) => r.body.includes('cus_err2')), 'the escalation webhook');
    expect(escalation.body).toContain('"failedNode":"notify"');
    expect(escalation.body).toContain('delivery failed after');
  });

  it('fails the run and emits run.failed when the error output is not connected', async () => {
    const id = await publishWorkflow(t, 'Code without error path', chain('customer.created', [
      { id: 'calc', type: 'code', config: { source: 'throw new Error("no tier for this customer")', saveAs: 'tier' } },
    ]));
    await sendEvents(t, { type: 'customer.created', data: { customerId: 'cus_err3', email: 'e3@test.local' } });
    const run = await finishedRun(t, id, 'cus_err3');
    expect(run.status).toBe('failed');
    expect(run.error).toContain('no tier for this customer');
    await eventually(async () => ((await runFailedFor(run.id)) === 1 ? true : undefined), 'run.failed');
  });
});

describe('dry run live flag', () => {
  let workflowId: string;
  const sample = { event: { data: { orderId: 'd-1', customerId: 'cus_dry', status: 'pending', total: 5, currency: 'EUR', items: [] } } };
  beforeAll(async () => {
    workflowId = await publishWorkflow(t, 'Dry score', chain('order.created', [{ id: 'score', type: 'http_request', config: { method: 'GET', url: `${api.url}/score`, saveAs: 'score' } }]));
  });

  it('calls the API for real with live: true and shows the response', async () => {
    const before = api.requests.length;
    const res = await json(t.api(`/api/v1/workflows/${workflowId}/test`, { method: 'POST', json: { ...sample, live: true } }));
    expect(res.steps.find((s: { nodeId: string }) => s.nodeId === 'score').output).toMatchObject({ response: { status: 200, body: { score: 70 } } });
    expect(api.requests.length).toBe(before + 1);
  });

  it('refuses dry runs, live or not, to a viewer (403: they need workflows:write), and calls nothing', async () => {
    const viewer = await userWithRole(t, 'viewer');
    const before = api.requests.length;
    const refused = await viewer.session.call(`/api/v1/workflows/${workflowId}/test`, { method: 'POST', json: { ...sample, live: true } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('workflows:write');
    const plain = await viewer.session.call(`/api/v1/workflows/${workflowId}/test`, { method: 'POST', json: sample });
    expect(plain.status).toBe(403);
    expect(api.requests.length).toBe(before);
  });
});
