import { HEADER_VALUE_MASK } from '@tripline/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { createEndpoint, Receiver } from './receiver.ts';

// The endpoints API on its own: creation, validation, update and delete (delivery itself is in delivery.test.ts).
let t: TestTripline;
const receivers: Receiver[] = [];
const receiver = async (port?: number) => {
  const r = await new Receiver().start(port);
  receivers.push(r);
  return r;
};

beforeAll(async () => {
  t = await startTestTripline();
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.stop();
});
afterAll(() => t?.stop());

describe('endpoints API', () => {
  it('answers the whsec_ secret once, never again, and audits the creation', async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, { url: `${r.url}/hook`, eventTypes: ['order.*'], description: 'Desk' });
    expect(ep.id).toMatch(/^ep_/);
    expect(ep.secret).toMatch(/^whsec_/);
    expect(Buffer.from(ep.secret.slice(6), 'base64')).toHaveLength(24);
    const again = await json(t.api(`/api/v1/endpoints/${ep.id}`));
    expect(again).not.toHaveProperty('secret');
    expect(JSON.stringify(await json(t.api('/api/v1/endpoints')))).not.toContain(ep.secret.slice(6));
    const { rows } = await t.ctx.pool.query(`select action, after from audit_log where target_id = $1`, [ep.id]);
    expect(rows.map((row) => row.action)).toEqual(['endpoint.create']);
    expect(JSON.stringify(rows[0].after)).not.toContain(ep.secret.slice(6));
  });

  it('refuses unknown event types, unsafe filters and reserved headers with 422 naming the field', async () => {
    const r = await receiver();
    const res = await t.api('/api/v1/endpoints', {
      method: 'POST',
      json: { url: r.url, eventTypes: ['order.shipped_to_mars'], filter: { var: '__proto__' }, headers: { 'webhook-id': 'x' } },
    });
    expect(res.status).toBe(422);
    const body = await json(res);
    const paths = body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['filter.var', expect.stringMatching(/^headers/)]));
    const types = await t.api('/api/v1/endpoints', { method: 'POST', json: { url: r.url, eventTypes: ['order.shipped_to_mars'] } });
    expect((await json(types)).error.details[0]).toMatchObject({ path: 'eventTypes.0' });
  });

  it('updates, lists and deletes an endpoint, auditing each change', async () => {
    const r = await receiver();
    const ep = await createEndpoint(t, { url: r.url, eventTypes: ['order.created'] });
    const put = await t.api(`/api/v1/endpoints/${ep.id}`, {
      method: 'PUT',
      json: { url: `${r.url}/v2`, eventTypes: ['order.*', 'customer.created'], rateLimitPerSecond: 50, headers: { 'X-Team': 'desk' } },
    });
    expect(put.status).toBe(200);
    // Header values are secrets: answered as the mask (server/test/security/endpoint-secrets.test.ts).
    expect(await json(put)).toMatchObject({ url: `${r.url}/v2`, eventTypes: ['order.*', 'customer.created'], rateLimitPerSecond: 50, headers: { 'X-Team': HEADER_VALUE_MASK } });
    expect((await t.api(`/api/v1/endpoints/${ep.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await t.api(`/api/v1/endpoints/${ep.id}`)).status).toBe(404);
    const { rows } = await t.ctx.pool.query(`select action from audit_log where target_id = $1 order by id`, [ep.id]);
    expect(rows.map((row) => row.action)).toEqual(['endpoint.create', 'endpoint.update', 'endpoint.delete']);
  });
});
