import type { WorkflowGraph } from '@tripline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * Publishing and rolling back as the versions panel promises: a rollback changes what runs,
 * never the draft; the list says which version a rollback restored; publishing what is
 * already live makes no new version and says so.
 */
let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

const graph = (action: 'activate' | 'deactivate', withHandle = true): WorkflowGraph => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' } },
    { id: 'stop', type: 'stop', config: { reason: action } },
  ],
  edges: [{ id: 'e1', source: 'trigger', target: 'stop', ...(withHandle ? { sourceHandle: 'out' } : {}) }],
});

async function create(g: WorkflowGraph): Promise<{ id: string; revision: number }> {
  return json(t.api('/api/v1/workflows', { method: 'POST', json: { name: 'Versions', graph: g } }));
}
const publish = (id: string, body: unknown = {}) => t.api(`/api/v1/workflows/${id}/publish`, { method: 'POST', json: body });
const saveDraft = async (id: string, g: WorkflowGraph) => {
  const current = await json<{ revision: number }>(t.api(`/api/v1/workflows/${id}`));
  return json<{ revision: number }>(t.api(`/api/v1/workflows/${id}`, { method: 'PUT', json: { graph: g, revision: current.revision } }));
};
const versions = async (id: string) => (await json<{ data: { version: number; rolledBackFrom: number | null; graph: WorkflowGraph }[] }>(t.api(`/api/v1/workflows/${id}/versions`))).data;

describe('rollback', () => {
  it('publishes the old version as a new one marked as its rollback, and keeps the draft', async () => {
    const wf = await create(graph('activate'));
    expect((await publish(wf.id)).status).toBe(200);
    await saveDraft(wf.id, graph('deactivate'));
    expect((await publish(wf.id)).status).toBe(200);
    const draftBefore = await json<{ revision: number; graph: WorkflowGraph }>(t.api(`/api/v1/workflows/${wf.id}`));

    const res = await publish(wf.id, { version: 1 });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ published: true, publishedVersion: 3, hasUnpublishedChanges: true, revision: draftBefore.revision });
    expect(body.message).toBe('Published version 3 (a rollback to v1); your draft is unchanged.');
    expect(body.graph.nodes[1].config).toEqual({ reason: 'deactivate' });

    const list = await versions(wf.id);
    expect(list.map((v) => [v.version, v.rolledBackFrom])).toEqual([
      [3, 1],
      [2, null],
      [1, null],
    ]);
    expect(list[0]!.graph.nodes[1]!.config).toEqual({ reason: 'activate' });
  });
});

describe('publishing an unchanged draft', () => {
  it('makes no new version and says "no changes since vN"', async () => {
    const wf = await create(graph('activate'));
    await publish(wf.id);
    const res = await publish(wf.id);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ published: false, publishedVersion: 1, message: 'no changes since v1; nothing was published', hasUnpublishedChanges: false });
    expect(await versions(wf.id)).toHaveLength(1);
  });

  it('treats an edge without sourceHandle as the step’s only output (seeded graphs), and moves as no change', async () => {
    const wf = await create(graph('activate', false));
    await publish(wf.id);
    const moved = graph('activate', true);
    moved.nodes[1]!.position = { x: 400, y: 120 };
    const saved = await json<{ hasUnpublishedChanges: boolean }>(
      t.api(`/api/v1/workflows/${wf.id}`, { method: 'PUT', json: { graph: moved, revision: (await json(t.api(`/api/v1/workflows/${wf.id}`))).revision } }),
    );
    expect(saved.hasUnpublishedChanges).toBe(false);
    expect(await json(publish(wf.id))).toMatchObject({ published: false, message: 'no changes since v1; nothing was published' });
  });

  it('rolling back to what is already live publishes nothing', async () => {
    const wf = await create(graph('activate'));
    await publish(wf.id);
    await saveDraft(wf.id, graph('deactivate'));
    await publish(wf.id);
    await publish(wf.id, { version: 1 });
    expect(await json(publish(wf.id, { version: 1 }))).toMatchObject({ published: false, publishedVersion: 3, message: 'v1 is what v3 already runs; nothing was published' });
  });
});

describe('blank values', () => {
  it('refuses to publish a condition with a blank value, naming the rule', async () => {
    const wf = await create({
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'product.stock_changed', filter: { '==': [{ var: 'data.sku' }, ''] } } },
        { id: 'stop', type: 'stop', config: {} },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'stop' }],
    });
    const res = await publish(wf.id);
    expect(res.status).toBe(422);
    const body = (await json(res)).error;
    expect(body.message).toContain('node "trigger": “sku is …” has no value');
    expect(body.details[0]).toMatchObject({ nodeId: 'trigger', path: 'filter' });
  });
});
