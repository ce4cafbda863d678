import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * API behaviour behind issue #16's pages: endpoints the SSRF guard now refuses are flagged on
 * the list; the audit log names its targets and lists its actions. No request leaves the
 * machine: the endpoint's public target is an address literal and nothing is delivered.
 */
let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_ALLOW_PRIVATE_TARGETS: '0' });
});
afterAll(() => t?.stop());

describe('GET /api/v1/endpoints/health', () => {
  it('flags an endpoint whose saved target the SSRF guard refuses now, and leaves a reachable one unflagged', async () => {
    const ok = await json<{ id: string }>(t.api('/api/v1/endpoints', { method: 'POST', json: { url: 'https://93.184.215.14/ok', description: 'Public', eventTypes: [] } }));
    const moved = await json<{ id: string }>(t.api('/api/v1/endpoints', { method: 'POST', json: { url: 'https://93.184.215.14/moved', description: 'Moved', eventTypes: [] } }));
    // saved when it was allowed (TRIPLINE_ALLOW_PRIVATE_TARGETS=1 then, or a migration from another install)
    await t.ctx.pool.query(`update endpoints set url = 'http://127.0.0.1:9/hook' where id = $1`, [moved.id]);

    const { data } = await json<{ data: { endpointId: string; unreachable: string | null }[] }>(t.api('/api/v1/endpoints/health'));
    expect(data.find((h) => h.endpointId === ok.id)!.unreachable).toBeNull();
    expect(data.find((h) => h.endpointId === moved.id)!.unreachable).toBe(
      'the SSRF guard refuses this target: it resolves to 127.0.0.1, a loopback address; private and loopback targets are refused unless TRIPLINE_ALLOW_PRIVATE_TARGETS=1',
    );
  });
});

describe('GET /api/v1/audit', () => {
  it('names each target as people know it, and lists the actions for the picker', async () => {
    const wf = await json<{ id: string }>(t.api('/api/v1/workflows', { method: 'POST', json: { name: 'Gold tier → VIP', graph: { nodes: [], edges: [] } } }));
    const page = await json<{ data: { action: string; targetId: string; targetName: string | null }[] }>(t.api('/api/v1/audit?action=workflow.created'));
    expect(page.data.find((e) => e.targetId === wf.id)!.targetName).toBe('Gold tier → VIP');
    const actions = await json<{ data: string[] }>(t.api('/api/v1/audit/actions'));
    expect(actions.data).toEqual(expect.arrayContaining(['endpoint.create', 'workflow.created']));
    expect([...actions.data].sort()).toEqual(actions.data);
  });
});
