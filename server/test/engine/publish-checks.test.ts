import type { WorkflowGraph } from '@tripline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * What publish checks beyond the graph's shape: a code step that does not compile is refused
 * with its node and line (it would fail on every run), and a level rule on every stock
 * change publishes with a warning pointing to the threshold event.
 */
let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

async function create(graph: WorkflowGraph): Promise<{ id: string }> {
  return json(t.api('/api/v1/workflows', { method: 'POST', json: { name: 'Publish checks', graph } }));
}
const publish = (id: string) => t.api(`/api/v1/workflows/${id}/publish`, { method: 'POST', json: {} });

describe('publishing a code step', () => {
  it('refuses a syntax error, naming the node and the line, and publishes nothing', async () => {
    const wf = await create({
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' } },
        { id: 'double', type: 'code', config: { source: 'const total = input.event.data.total;\nreturn { twice: total * 2 ;', saveAs: 'result' } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'double' }],
    });
    const res = await publish(wf.id);
    expect(res.status).toBe(422);
    const body = await json<{ error: { message: string; details: { nodeId?: string; path?: string; message: string }[] } }>(res);
    expect(body.error.message).toMatch(/node "double": the code does not compile: .* on line 2/);
    expect(body.error.details[0]).toMatchObject({ nodeId: 'double', path: 'source' });
    const after = await json<{ publishedVersion: number | null }>(t.api(`/api/v1/workflows/${wf.id}`));
    expect(after.publishedVersion).toBeNull();
  });
});

describe('the stock trap', () => {
  it('publishes a level rule on product.stock_changed with a warning that points to inventory.threshold_crossed', async () => {
    const wf = await create({
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'product.stock_changed' } },
        { id: 'low', type: 'condition', config: { rule: { '<': [{ var: 'data.quantity' }, 10] } } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'low' }],
    });
    const res = await publish(wf.id);
    expect(res.status).toBe(200);
    const body = await json<{ published: boolean; warnings: { nodeId?: string; message: string }[] }>(res);
    expect(body.published).toBe(true);
    expect(body.warnings).toEqual([{ nodeId: 'low', message: expect.stringContaining('inventory.threshold_crossed') }]);
  });
});
