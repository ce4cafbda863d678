import type { WorkflowGraph } from '@tripline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../support/engine.ts';
import { startTestTripline, TEST_ADMIN, type TestTripline } from '../support/tripline.ts';
import { userWithRole } from './support.ts';

/**
 * Issue 26 item 1: marketers build and publish workflows (PRODUCT.md: their core job), with
 * the step types an admin allows them, and gain no endpoints, credentials or replays.
 */
let t: TestTripline;
let marketer: Awaited<ReturnType<typeof userWithRole>>;
let endpointId: string;

beforeAll(async () => {
  t = await startTestTripline();
  marketer = await userWithRole(t, 'marketer');
  const ep = await json<{ id: string }>(t.api('/api/v1/endpoints', { method: 'POST', json: { url: 'http://127.0.0.1:9/hook', eventTypes: ['order.created'] } }));
  endpointId = ep.id;
});
afterAll(() => t?.stop());

const vipGraph = (): WorkflowGraph => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'customer.ltv_tier_changed' } },
    { id: 'gold', type: 'condition', config: { rule: { '==': [{ var: 'data.to' }, 'gold'] } } },
    { id: 'wait', type: 'delay', config: { seconds: 3600 } },
    { id: 'notify', type: 'webhook', config: { endpointId: '' } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'gold' },
    { id: 'e2', source: 'gold', target: 'wait', sourceHandle: 'true' },
    { id: 'e3', source: 'wait', target: 'notify' },
  ],
});

const withCode = (g: WorkflowGraph): WorkflowGraph => ({
  nodes: [...g.nodes, { id: 'score', type: 'code', label: 'Score the customer', config: { source: 'return { score: 1 };', saveAs: 'score' } }],
  edges: [...g.edges, { id: 'e4', source: 'notify', target: 'score' }],
});

const call = (path: string, method = 'GET', body?: unknown) => marketer.session.call(path, { method, ...(body !== undefined ? { json: body } : {}) });
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; details?: { nodeId?: string; message: string }[] } }).error;

describe('a marketer', () => {
  it('creates, saves and publishes a workflow of allowed steps (trigger, condition, delay, webhook to an existing endpoint)', async () => {
    const created = await call('/api/v1/workflows', 'POST', { name: 'Gold → VIP', graph: vipGraph() });
    expect(created.status).toBe(201);
    const wf = (await created.json()) as { id: string; revision: number };
    const graph = vipGraph();
    graph.nodes[3]!.config = { endpointId };
    const saved = await call(`/api/v1/workflows/${wf.id}`, 'PUT', { graph, revision: wf.revision });
    expect(saved.status).toBe(200);
    const published = await call(`/api/v1/workflows/${wf.id}/publish`, 'POST', {});
    expect(published.status).toBe(200);
    expect(await published.json()).toMatchObject({ published: true, publishedVersion: 1 });
  });

  it('is refused a code step at save, with a message naming the step and whom to ask, and the draft is kept as it was', async () => {
    const wf = await json<{ id: string; revision: number }>(call('/api/v1/workflows', 'POST', { name: 'No code', graph: vipGraph() }));
    const res = await call(`/api/v1/workflows/${wf.id}`, 'PUT', { graph: withCode(vipGraph()), revision: wf.revision });
    expect(res.status).toBe(403);
    const error = await errorOf(res);
    expect(error.code).toBe('step_type_not_allowed');
    expect(error.message).toBe(
      `step "Score the customer" is a Run code step, which marketers may not add or change; ask an admin (${TEST_ADMIN.email}) to allow it under Settings → Steps marketers may use, or an editor to add it`,
    );
    expect(error.details).toEqual([{ nodeId: 'score', path: 'type', message: 'marketers may not add or change Run code steps' }]);
    const after = await json<{ revision: number; graph: WorkflowGraph }>(call(`/api/v1/workflows/${wf.id}`));
    expect(after.revision).toBe(wf.revision);
    expect(after.graph.nodes.map((n) => n.id)).not.toContain('score');
    // nor can a new workflow (an import, a template) bring one in
    expect((await call('/api/v1/workflows', 'POST', { name: 'Imported', graph: withCode(vipGraph()) })).status).toBe(403);
  });

  it('may change the other steps of a workflow an editor built around a code step, but not the code step', async () => {
    const editor = await userWithRole(t, 'editor');
    const wf = await json<{ id: string; revision: number }>(editor.session.call('/api/v1/workflows', { method: 'POST', json: { name: 'Editor built', graph: withCode(vipGraph()) } }));
    const graph = withCode(vipGraph());
    graph.nodes[2]!.config = { seconds: 7200 };
    const saved = await call(`/api/v1/workflows/${wf.id}`, 'PUT', { graph, revision: wf.revision });
    expect(saved.status).toBe(200);
    const changedCode = withCode(vipGraph());
    changedCode.nodes[4]!.config = { source: 'return { score: 2 };', saveAs: 'score' };
    const refused = await call(`/api/v1/workflows/${wf.id}`, 'PUT', { graph: changedCode, revision: ((await saved.json()) as { revision: number }).revision });
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).details?.[0]?.nodeId).toBe('score');
  });

  it('gains no endpoints, credentials, replays, live calls or API keys', async () => {
    expect((await call('/api/v1/endpoints', 'POST', { url: 'http://127.0.0.1:9/x', eventTypes: ['order.created'] })).status).toBe(403);
    expect((await call('/api/v1/credentials', 'POST', { name: 'crm_key', value: 'secret-value' })).status).toBe(403);
    expect((await call('/api/v1/deliveries/dlv_nope/replay', 'POST', {})).status).toBe(403);
    expect((await call('/api/v1/api-keys', 'POST', { name: 'mine', scope: 'admin' })).status).toBe(403);
    const wf = await json<{ id: string }>(call('/api/v1/workflows', 'POST', { name: 'Live?', graph: vipGraph() }));
    const live = await call(`/api/v1/workflows/${wf.id}/test`, 'POST', { event: { data: { to: 'gold' } }, live: true });
    expect(live.status).toBe(403);
  });
});

describe('an admin restricting the step types', () => {
  it('takes the webhook step away from marketers in Settings (audited): publishing one is refused naming the node, editors still publish it', async () => {
    const before = await json<{ data: { marketerStepTypes: string[] } }>(t.api('/api/v1/settings'));
    expect(before.data.marketerStepTypes).toEqual(['trigger', 'schedule', 'condition', 'switch', 'delay', 'wait_for_event', 'campaign', 'webhook', 'email']);
    const bad = await t.api('/api/v1/settings/marketerStepTypes', { method: 'PUT', json: { value: ['trigger', 'teleport'] } });
    expect(bad.status).toBe(422);
    const restricted = ['trigger', 'condition', 'switch', 'delay', 'wait_for_event', 'campaign'];
    expect((await t.api('/api/v1/settings/marketerStepTypes', { method: 'PUT', json: { value: restricted } })).status).toBe(200);
    const audit = await json<{ data: { action: string; targetId: string; after: unknown }[] }>(t.api('/api/v1/audit?action=setting.updated&targetId=marketerStepTypes'));
    expect(audit.data[0]).toMatchObject({ action: 'setting.updated', targetId: 'marketerStepTypes', after: restricted });

    const graph = vipGraph();
    graph.nodes[3]!.config = { endpointId };
    // saved by an editor, published by the marketer: the webhook step is new to the live version
    const editor = await userWithRole(t, 'editor');
    const wf = await json<{ id: string }>(editor.session.call('/api/v1/workflows', { method: 'POST', json: { name: 'Restricted', graph } }));
    const refused = await call(`/api/v1/workflows/${wf.id}/publish`, 'POST', {});
    expect(refused.status).toBe(403);
    const error = await errorOf(refused);
    expect(error.message).toContain('step "notify" is a Send webhook step, which marketers may not add or change');
    expect(error.details?.map((d) => d.nodeId)).toEqual(['notify']);
    expect((await editor.session.call(`/api/v1/workflows/${wf.id}/publish`, { method: 'POST', json: {} })).status).toBe(200);
    await t.api('/api/v1/settings/marketerStepTypes', { method: 'PUT', json: { value: before.data.marketerStepTypes } });
  });

  it('tells anyone signed in whom to ask: the admins by email', async () => {
    const res = await call('/api/v1/auth/admins');
    expect(await res.json()).toEqual({ data: [TEST_ADMIN.email] });
  });
});
