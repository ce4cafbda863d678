import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { createLink, portal } from './support.ts';

/** Issue 26 item 11: a partner saving settings on an endpoint the SSRF guard refuses reads a human message, no server variable. */
let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_ALLOW_PRIVATE_TARGETS: '0' });
});
afterAll(() => t?.stop());

describe('portal settings on a refused target', () => {
  it('says what to do without naming a server environment variable, and keeps the endpoint as it was', async () => {
    const ep = await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: 'https://93.184.216.34/hooks', description: 'Partner CRM', eventTypes: ['order.created'] } }));
    // saved while the guard allowed it; the guard refuses it now (its address moved to this machine)
    await t.ctx.pool.query(`update endpoints set url = 'http://127.0.0.1:9/hooks' where id = $1`, [ep.id]);
    const link = await createLink(t, { endpointIds: [ep.id] });
    const res = await portal(t, link.token)(`/api/v1/portal/endpoints/${ep.id}`, { method: 'PUT', json: { url: 'http://127.0.0.1:9/hooks', description: 'Partner CRM (renamed)', eventTypes: ['order.created'] } });
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text).not.toMatch(/TRIPLINE_/);
    expect(text).toContain("Tripline only sends to public addresses: use your receiver's public https URL, or ask the store to allow this one");
    expect((await json(t.api(`/api/v1/endpoints/${ep.id}`))).description).toBe('Partner CRM');
    // the store's admin still reads how to lift it
    const admin = await t.api(`/api/v1/endpoints/${ep.id}`, { method: 'PUT', json: { url: 'http://127.0.0.1:9/hooks', eventTypes: ['order.created'] } });
    expect(await admin.text()).toContain('TRIPLINE_ALLOW_PRIVATE_TARGETS');
  });
});

describe('portal event types', () => {
  it('marks the types that arrive through a workflow\'s webhook step, not only subscriptions', async () => {
    const ep = await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: 'https://93.184.216.34/supplier', description: 'Supplier', eventTypes: ['order.created'] } }));
    const graph = {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' } },
        { id: 'tell', type: 'webhook', config: { endpointId: ep.id } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'tell' }],
    };
    const wf = await json(t.api('/api/v1/workflows', { method: 'POST', json: { name: 'Paid → supplier', graph } }));
    expect((await t.api(`/api/v1/workflows/${wf.id}/publish`, { method: 'POST', json: {} })).status).toBe(200);
    const link = await createLink(t, { endpointIds: [ep.id] });
    const types = (await json(portal(t, link.token)('/api/v1/portal/event-types'))).data as { type: string; subscribed: boolean; viaWorkflow: boolean }[];
    const of = (type: string) => types.find((c) => c.type === type)!;
    expect(of('order.paid')).toMatchObject({ subscribed: false, viaWorkflow: true });
    expect(of('order.created')).toMatchObject({ subscribed: true, viaWorkflow: false });
    expect(of('order.refunded')).toMatchObject({ subscribed: false, viaWorkflow: false });
  });
});
