import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, publishWorkflow, sendEvents } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { chain, startFakeApi, type FakeApi } from '../steps/support.ts';

/**
 * Issue 26 item 7: a run that failed on a logic bug can be retried with the fixed, live
 * version ("retry with the live version"), beside "retry as it ran"; the run says which
 * version it used and which it started on.
 */
let t: TestTripline;
let api: FakeApi;
beforeAll(async () => {
  t = await startTestTripline();
  // the loyalty API: the right path answers the score, the wrong one (the bug) 404
  api = await startFakeApi((req) => (req.url === '/v2/score' ? { status: 200, body: { score: 42 } } : { status: 404, body: { error: 'bug: no such path' } }));
});
afterAll(async () => {
  await api?.close();
  await t?.stop();
});

/** The logic bug: v1 calls the wrong path; the fix calls the right one. */
const graph = (path: string, id = 'score') => chain('order.refunded', [{ id, type: 'http_request', config: { method: 'GET', url: `${api.url}${path}`, saveAs: 'score', retries: 0 } }]);

describe('retrying a run that failed on a logic bug', () => {
  it('as it ran fails again on the pinned version; with the live version runs the fix and says which versions', async () => {
    const id = await publishWorkflow(t, 'Buggy score', graph('/v1/score'));
    await sendEvents(t, { type: 'order.refunded', data: { orderId: 'r-live-1', customerId: 'cus_live', amount: 5 } });
    const failed = await eventually(async () => (await json(t.api(`/api/v1/runs?workflowId=${id}&status=failed`))).data[0], 'the run to fail');
    expect(failed).toMatchObject({ version: 1, currentNode: 'score', firstVersion: null });

    // the fix is published as v2
    const wf = await json(t.api(`/api/v1/workflows/${id}`));
    await json(t.api(`/api/v1/workflows/${id}`, { method: 'PUT', json: { graph: graph('/v2/score'), revision: wf.revision } }));
    expect((await json(t.api(`/api/v1/workflows/${id}/publish`, { method: 'POST', json: {} }))).publishedVersion).toBe(2);
    expect(await json(t.api(`/api/v1/runs/${failed.id}`))).toMatchObject({ version: 1, liveVersion: 2 });

    // as it ran: the same bug, the same version
    const asRan = await json(t.api(`/api/v1/runs/${failed.id}/retry`, { method: 'POST', json: { use: 'as_ran' } }));
    expect(asRan).toMatchObject({ version: 1, firstVersion: null });
    const again = await eventually(async () => {
      const r = await json(t.api(`/api/v1/runs/${failed.id}`));
      return r.status === 'failed' && r.steps.find((s: { nodeId: string }) => s.nodeId === 'score')?.attempts >= 2 ? r : undefined;
    }, 'the retry as it ran to fail again');
    expect(again.error).toContain('/v1/score answered HTTP 404');

    // with the live version: the fix runs from the failed step
    const live = await json(t.api(`/api/v1/runs/${failed.id}/retry`, { method: 'POST', json: { use: 'live' } }));
    expect(live).toMatchObject({ version: 2, firstVersion: 1 });
    const done = await eventually(async () => {
      const r = await json(t.api(`/api/v1/runs/${failed.id}`));
      return r.status === 'succeeded' ? r : undefined;
    }, 'the retry with the live version to succeed');
    expect(done).toMatchObject({ version: 2, firstVersion: 1, liveVersion: 2 });
    expect(done.steps.find((s: { nodeId: string; status: string }) => s.nodeId === 'score' && s.status === 'succeeded').output).toMatchObject({ response: { status: 200, body: { score: 42 } } });
    const audit = await json(t.api(`/api/v1/audit?action=run.retried&targetId=${failed.id}`));
    expect(audit.data[0]).toMatchObject({ before: { version: 1 }, after: { version: 2, use: 'live' } });
  });

  it('refuses the live version when it no longer has the failed step, naming the step', async () => {
    const id = await publishWorkflow(t, 'Step removed', graph('/v1/score'));
    await sendEvents(t, { type: 'order.refunded', data: { orderId: 'r-live-2', customerId: 'cus_live_2', amount: 5 } });
    const failed = await eventually(async () => (await json(t.api(`/api/v1/runs?workflowId=${id}&status=failed`))).data[0], 'the run to fail');
    const wf = await json(t.api(`/api/v1/workflows/${id}`));
    const renamed = graph('/v2/score', 'score2');
    await json(t.api(`/api/v1/workflows/${id}`, { method: 'PUT', json: { graph: renamed, revision: wf.revision } }));
    await json(t.api(`/api/v1/workflows/${id}/publish`, { method: 'POST', json: {} }));
    const res = await t.api(`/api/v1/runs/${failed.id}/retry`, { method: 'POST', json: { use: 'live' } });
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toBe('the live version v2 has no step "score" to retry from; retry as it ran, or publish a version that keeps that step');
    expect((await json(t.api(`/api/v1/runs/${failed.id}`))).status).toBe('failed');
  });
});
