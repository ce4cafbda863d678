import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTargetUrl } from '../../src/delivery/ssrf.ts';
import { userWithRole } from '../accounts/support.ts';
import { eventually, json, publishWorkflow, sendEvents } from '../support/engine.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { chain, finishedRun, order, startFakeApi, type FakeApi } from './support.ts';

const SECRET = 'Bearer loyalty-secret-7f3a9c21e4';

let t: TestTripline;
let loyalty: FakeApi;
let receiver: Receiver;
let endpointId: string;

beforeAll(async () => {
  t = await startTestTripline();
  receiver = await startReceiver();
  loyalty = await startFakeApi((req) => {
    if (req.url.startsWith('/flaky')) return { status: 503, body: { error: 'busy' } };
    // ~300 KB of JSON (far past the 16 KB the delivery attempt log keeps), and 1.5 MB of text
    if (req.url.startsWith('/big')) return { status: 200, body: { rows: Array.from({ length: 10_000 }, (_, i) => ({ i, name: `row number ${i}` })) } };
    if (req.url.startsWith('/huge')) return { status: 200, body: 'x'.repeat(1.5 * 1024 * 1024) };
    const customer = new URL(req.url, 'http://x').searchParams.get('customer');
    return { status: 200, body: { customer, score: customer === 'cus_vip' ? 92 : 35 } };
  });
  endpointId = (await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: receiver.url, eventTypes: [] } }))).id;
  const saved = await t.api('/api/v1/credentials', { method: 'POST', json: { name: 'loyalty_api', value: SECRET, description: 'loyalty service token', allowedOrigins: [loyalty.url] } });
  expect(saved.status).toBe(201);
});
afterAll(async () => {
  await t?.stop();
  await loyalty?.close();
  await receiver?.close();
});

describe('http_request', () => {
  let workflowId: string;
  beforeAll(async () => {
    workflowId = await publishWorkflow(t, 'Loyalty score → tier message', {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.created' } },
        { id: 'score', type: 'http_request', config: { method: 'GET', url: `${loyalty.url}/score?customer={{data.customerId}}`, credential: 'loyalty_api', saveAs: 'loyalty', headers: { 'x-order': '{{data.orderId}}' } } },
        { id: 'tier', type: 'switch', config: { cases: [{ name: 'vip', rule: { '>=': [{ var: 'vars.loyalty.body.score' }, 80] } }] } },
        { id: 'vip_message', type: 'webhook', config: { endpointId } },
        { id: 'regular', type: 'stop', config: { reason: 'regular' } },
      ],
      edges: [
        { id: 'e1', source: 'trigger', target: 'score' },
        { id: 'e2', source: 'score', target: 'tier', sourceHandle: 'out' },
        { id: 'e3', source: 'tier', target: 'vip_message', sourceHandle: 'vip' },
        { id: 'e4', source: 'tier', target: 'regular', sourceHandle: 'default' },
      ],
    });
  });

  it('calls the API with templates and the credential, keeps {status, headers, body} in vars and branches on it', async () => {
    await sendEvents(t, [order('h-1', 'cus_vip', 50), order('h-2', 'cus_plain', 50)]);
    const vip = await finishedRun(t, workflowId, 'cus_vip');
    expect(vip.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['trigger', 'score', 'tier', 'vip_message']);
    const plain = await finishedRun(t, workflowId, 'cus_plain');
    expect(plain.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['trigger', 'score', 'tier', 'regular']);

    const call = loyalty.requests.find((r) => r.url === '/score?customer=cus_vip')!;
    expect(call.method).toBe('GET');
    expect(call.headers.authorization).toBe(SECRET);
    expect(call.headers['x-order']).toBe('h-1');

    const hook = await eventually(async () => receiver.requests.map((r) => JSON.parse(r.body)).find((p) => p.data?.customerId === 'cus_vip'), 'the VIP message');
    expect(hook.vars.loyalty).toMatchObject({ status: 200, body: { customer: 'cus_vip', score: 92 }, headers: { 'content-type': 'application/json' } });
  });

  it('never writes the credential value into the run history, the workflow or the audit log', async () => {
    const vip = await finishedRun(t, workflowId, 'cus_vip');
    const secretPart = SECRET.slice(7);
    expect(JSON.stringify(vip)).not.toContain(secretPart);
    const step = vip.steps.find((s: { nodeId: string }) => s.nodeId === 'score');
    expect(step.output.request).toMatchObject({ credential: 'loyalty_api', headers: ['x-order'] });
    const tables = await t.ctx.pool.query(
      `select (select count(*) from run_steps where input::text like $1 or output::text like $1)::int as steps,
              (select count(*) from runs where vars::text like $1)::int as runs,
              (select count(*) from workflow_versions where graph::text like $1)::int as workflows,
              (select count(*) from audit_log where coalesce(before::text, '') || coalesce(after::text, '') like $1)::int as audit,
              (select count(*) from credentials where value_encrypted like $1)::int as credentials`,
      [`%${secretPart}%`],
    );
    expect(tables.rows[0]).toEqual({ steps: 0, runs: 0, workflows: 0, audit: 0, credentials: 0 });
  });

  it('retries a 5xx, then fails the step with the status (the run fails: the error output is not connected)', async () => {
    const id = await publishWorkflow(t, 'Flaky', chain('order.cancelled', [{ id: 'call', type: 'http_request', config: { method: 'POST', url: `${loyalty.url}/flaky`, body: '{"order": "{{data.orderId}}"}', saveAs: 'r', retries: 1 } }]));
    const before = loyalty.requests.filter((r) => r.url === '/flaky').length;
    await sendEvents(t, { type: 'order.cancelled', data: { orderId: 'x-1', customerId: 'cus_flaky', reason: 'test' } });
    const run = await finishedRun(t, id, 'cus_flaky');
    expect(run.status).toBe('failed');
    const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'call');
    expect(step.error).toContain('answered HTTP 503');
    expect(step.output).toMatchObject({ attempts: 2, response: { status: 503, body: { error: 'busy' } } });
    const calls = loyalty.requests.filter((r) => r.url === '/flaky').slice(before);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ method: 'POST', body: '{"order": "x-1"}', headers: { 'content-type': 'application/json' } });
  });

  it('fails clearly when the credential does not exist', async () => {
    const id = await publishWorkflow(t, 'No credential', chain('order.fulfillment_updated', [{ id: 'call', type: 'http_request', config: { method: 'GET', url: `${loyalty.url}/score`, credential: 'missing_one', saveAs: 'r' } }]));
    await sendEvents(t, { type: 'order.fulfillment_updated', data: { orderId: 'm-1', customerId: 'cus_nocred', status: 'shipped' } });
    const run = await finishedRun(t, id, 'cus_nocred');
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'call').error).toContain('credential "missing_one" does not exist');
  });

  it('does not call out in a dry run', async () => {
    const before = loyalty.requests.length;
    const res = await json(t.api(`/api/v1/workflows/${workflowId}/test`, { method: 'POST', json: { event: { data: { orderId: 'd-1', customerId: 'cus_vip', status: 'pending', total: 5, currency: 'EUR', items: [] } } } }));
    expect(res.steps.find((s: { nodeId: string }) => s.nodeId === 'score').output).toMatchObject({ dryRun: true, wouldCall: { method: 'GET', url: `${loyalty.url}/score?customer=cus_vip` } });
    expect(loyalty.requests.length).toBe(before);
  });
});

describe('credentials API', () => {
  it('lists names and hints but never values; a second save replaces the value', async () => {
    const list = await json(t.api('/api/v1/credentials'));
    expect(list.data).toEqual([expect.objectContaining({ name: 'loyalty_api', description: 'loyalty service token', hint: '…21e4' })]);
    expect(JSON.stringify(list)).not.toContain('loyalty-secret');
    const replaced = await t.api('/api/v1/credentials', { method: 'POST', json: { name: 'temp_token', value: 'first-value-123456', allowedOrigins: ['https://api.example.com'] } });
    expect(replaced.status).toBe(201);
    const again = await t.api('/api/v1/credentials', { method: 'POST', json: { name: 'temp_token', value: 'second-value-654321', allowedOrigins: ['https://api.example.com'] } });
    expect(again.status).toBe(200);
    expect((await json(again)).hint).toBe('…4321');
  });

  it('refuses a bad name with the field, and lets editors write but viewers only read', async () => {
    const bad = await t.api('/api/v1/credentials', { method: 'POST', json: { name: 'has space', value: 'v' } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await json(bad))).toContain('name');
    const viewer = await userWithRole(t, 'viewer');
    expect((await viewer.session.call('/api/v1/credentials')).status).toBe(200);
    expect((await viewer.session.call('/api/v1/credentials', { method: 'POST', json: { name: 'v_token', value: 'xyz' } })).status).toBe(403);
    const editor = await userWithRole(t, 'editor');
    expect((await editor.session.call('/api/v1/credentials', { method: 'POST', json: { name: 'e_token', value: 'xyz-editor-value', allowedOrigins: ['https://api.example.com'] } })).status).toBe(201);
    expect((await editor.session.call('/api/v1/credentials/e_token', { method: 'DELETE' })).status).toBe(204);
    expect((await editor.session.call('/api/v1/credentials/e_token', { method: 'DELETE' })).status).toBe(404);
  });

  it('audits creation, replacement and deletion without the value', async () => {
    const audit = await json(t.api('/api/v1/audit?targetType=credential'));
    const actions = audit.data.map((e: { action: string; targetId: string }) => `${e.action} ${e.targetId}`);
    expect(actions).toEqual(expect.arrayContaining(['credential.created loyalty_api', 'credential.created temp_token', 'credential.replaced temp_token', 'credential.deleted e_token']));
    expect(JSON.stringify(audit)).not.toMatch(/first-value|second-value|xyz-editor-value/);
  });
});

describe('SSRF guard', () => {
  it('refuses loopback, private and metadata targets at the address check unless private targets are allowed', () => {
    for (const url of ['http://127.0.0.1:9/x', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.8/', 'http://[::1]/', 'http://localhost/']) {
      expect(checkTargetUrl(url, false).ok).toBe(false);
    }
    expect(checkTargetUrl('http://127.0.0.1:9/x', true).ok).toBe(true);
  });

  it('fails an http_request step to a loopback target on a server that refuses private targets, without connecting', async () => {
    const strict = await startTestTripline({ TRIPLINE_ALLOW_PRIVATE_TARGETS: '0' });
    try {
      const before = loyalty.requests.length;
      const id = await publishWorkflow(strict, 'SSRF', chain('order.created', [{ id: 'call', type: 'http_request', config: { method: 'GET', url: `${loyalty.url}/score`, saveAs: 'r', retries: 2 } }]));
      await sendEvents(strict, order('ssrf-1', 'cus_ssrf', 10));
      const run = await finishedRun(strict, id, 'cus_ssrf');
      const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'call');
      expect(step.status).toBe('failed');
      expect(step.error).toContain('loopback');
      expect(step.output).toMatchObject({ errorClass: 'ssrf_blocked', attempts: 1 });
      expect(loyalty.requests.length).toBe(before);
    } finally {
      await strict.stop();
    }
  });
});

describe('http_request response cap', () => {
  it('parses a JSON body far larger than the delivery log keeps, and cuts one over 1 MB at 1 MB, saying so', async () => {
    const id = await publishWorkflow(t, 'Big answers', chain('order.refunded', [
      { id: 'big', type: 'http_request', config: { method: 'GET', url: `${loyalty.url}/big`, saveAs: 'big' } },
      { id: 'huge', type: 'http_request', config: { method: 'GET', url: `${loyalty.url}/huge`, saveAs: 'huge' } },
    ]));
    await sendEvents(t, { type: 'order.refunded', data: { orderId: 'cap-1', customerId: 'cus_cap', amount: 1 } });
    const run = await finishedRun(t, id, 'cus_cap');
    expect(run.status).toBe('succeeded');
    // The variables keep the answers for later steps; the stored step outputs are cut at 16 KB (issue 23, item 6).
    const { rows } = await t.ctx.pool.query(`select vars from runs where id = $1`, [run.id]);
    const big = rows[0].vars.big;
    expect(big.body.rows).toHaveLength(10_000);
    expect(big.truncated).toBeUndefined();
    const huge = rows[0].vars.huge;
    expect(huge.truncated).toBe(true);
    expect(huge.body).toHaveLength(1024 * 1024);
    for (const node of ['big', 'huge']) expect(run.steps.find((s: { nodeId: string }) => s.nodeId === node).output).toMatchObject({ cut: true });
  });
});
