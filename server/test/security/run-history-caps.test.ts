import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RUN_HISTORY_BYTES } from '../../src/engine/runs/stored-history.ts';
import { STORED_VALUE_LIMIT } from '../../src/db/stored-size.ts';
import { MAX_STEPS_PER_SLICE } from '../../src/engine/runs/step-loop.ts';
import { chain, finishedRun, startFakeApi, type FakeApi } from '../steps/support.ts';
import { eventually, json, publishWorkflow, sendEvents } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * Issue 23, item 6: one event could write tens of MB to GBs of run history (uncapped error
 * messages, every step row a copy of all the run's variables). Each stored input, output and
 * message is now capped and marked as cut, a step row holds only the step's own input, and a
 * run's stored history is bounded with a clear step error past it.
 */

let t: TestTripline;
let api: FakeApi;
beforeAll(async () => {
  t = await startTestTripline();
  // ~100 KB of JSON: far more than a stored output keeps.
  api = await startFakeApi(() => ({ status: 200, body: { rows: Array.from({ length: 2_500 }, (_, i) => ({ i, name: `row number ${i}` })) } }));
});
afterAll(async () => {
  await t?.stop();
  await api?.close();
});

/** What a run's step rows hold, in bytes of their JSON and text. */
async function storedBytes(runId: string): Promise<number> {
  const { rows } = await t.ctx.pool.query(
    `select coalesce(sum(octet_length(input::text) + octet_length(output::text) + coalesce(octet_length(error), 0)), 0)::float8 as n from run_steps where run_id = $1`,
    [runId],
  );
  return rows[0].n;
}

describe('run history is capped (issue 23, item 6)', () => {
  it('cuts a huge error message to 16 KB, saying so, on the step and the run', async () => {
    const id = await publishWorkflow(t, 'huge error', chain('customer.created', [{ id: 'boom', type: 'code', config: { source: "throw new Error('x'.repeat(2000000));", saveAs: 'r', timeoutMs: 1000, memoryMb: 64 } }]));
    await sendEvents(t, { type: 'customer.created', data: { customerId: 'cus_boom' } });
    const run = await finishedRun(t, id, 'cus_boom');
    expect(run.status).toBe('failed');
    const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'boom');
    expect(step.error.length).toBeLessThan(STORED_VALUE_LIMIT + 200);
    expect(step.error).toMatch(/\[cut: \d+ characters in all, the first 16384 kept\]$/);
    const { rows } = await t.ctx.pool.query(`select octet_length(error) as n from runs where id = $1`, [run.id]);
    expect(rows[0].n).toBeLessThan(STORED_VALUE_LIMIT + 300);
  });

  it("stores a big response's step output cut and marked, keeps it whole for later steps, and copies no variables into step rows", async () => {
    const id = await publishWorkflow(
      t,
      'big answer then steps',
      chain('customer.created', [
        { id: 'fetch', type: 'http_request', config: { method: 'GET', url: `${api.url}/rows`, saveAs: 'big' } },
        { id: 'a', type: 'transform', config: { fields: { count: '{{vars.big.body.rows.2499.name}}' } } },
        { id: 'b', type: 'transform', config: { fields: { again: 'x' } } },
        { id: 'c', type: 'transform', config: { fields: { more: 'y' } } },
        { id: 'd', type: 'transform', config: { fields: { last: 'z' } } },
      ]),
    );
    await sendEvents(t, { type: 'customer.created', data: { customerId: 'cus_big' } });
    const run = await finishedRun(t, id, 'cus_big');
    expect(run.status).toBe('succeeded');
    const fetch = run.steps.find((s: { nodeId: string }) => s.nodeId === 'fetch');
    expect(fetch.output).toMatchObject({ cut: true, characters: expect.any(Number) });
    expect(fetch.output.characters).toBeGreaterThan(80_000);
    // The run's variables still hold the whole answer: the next step read its last row.
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'a').output).toEqual({ count: 'row number 2499' });
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from run_steps where run_id = $1 and input ? 'vars'`, [run.id]);
    expect(rows[0].n).toBe(0);
    // Five steps of a run with 100 KB of variables: on main each row copied them (> 500 KB).
    expect(await storedBytes(run.id)).toBeLessThan(40_000);
  });

  it('bounds a run\'s whole history: a long loop of big outputs fails with a clear step error, having stored at most the bound and one slice', async () => {
    const items = Array.from({ length: 600 }, (_, i) => ({ sku: `S${i}`, quantity: 1, price: 1 }));
    const graph = chain('order.created', [
      { id: 'fetch', type: 'http_request', config: { method: 'GET', url: `${api.url}/rows`, saveAs: 'big' } },
      { id: 'loop', type: 'for_each', config: { items: { var: 'data.items' }, maxItems: 1000 } },
    ]);
    graph.nodes.push({ id: 'copy', type: 'transform', config: { fields: { copy: '{{vars.big}}' } } });
    graph.edges.push({ id: 'e-copy', source: 'loop', target: 'copy', sourceHandle: 'each' });
    const id = await publishWorkflow(t, 'history flood', graph);
    await sendEvents(t, { type: 'order.created', data: { orderId: 'flood-1', customerId: 'cus_flood', status: 'paid', total: 600, currency: 'EUR', items } });
    // Hundreds of steps in slices of 200: more than the usual wait on a busy machine.
    await eventually(async () => {
      const page = await json(t.api(`/api/v1/runs?workflowId=${id}&subject=cus_flood`));
      return ['succeeded', 'failed'].includes(page.data[0]?.status);
    }, 'the flood run to finish', 120_000);
    const run = await finishedRun(t, id, 'cus_flood');
    expect(run.status).toBe('failed');
    expect(run.error).toContain("this run's stored history reached its limit of 4.0 MB");
    const failed = run.steps.find((s: { status: string; nodeId: string }) => s.status === 'failed');
    expect(failed).toMatchObject({ nodeId: 'copy', error: expect.stringContaining('stored history reached its limit') });
    const stored = await storedBytes(run.id);
    expect(stored).toBeGreaterThan(MAX_RUN_HISTORY_BYTES * 0.9);
    expect(stored).toBeLessThan(MAX_RUN_HISTORY_BYTES + MAX_STEPS_PER_SLICE * (STORED_VALUE_LIMIT + 1024));
    // Fewer than the 600 iterations ran: it stopped at the bound.
    expect(run.steps.filter((s: { nodeId: string }) => s.nodeId === 'copy').length).toBeLessThan(600);
  });
});
