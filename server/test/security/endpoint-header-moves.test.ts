import { HEADER_VALUE_MASK } from '@tripline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRole } from '../accounts/support.ts';
import { createLink, portal } from '../portal/support.ts';
import { eventually, json } from '../support/engine.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * Issue 23, items 8 and 10: an endpoint's custom header values are secrets that go only to
 * the URL they were given for (an editor who moves the endpoint to their own host must type
 * them again), and a partner's portal save keeps them as they are (not encrypted twice).
 */

let t: TestTripline;
let receiver: Receiver;
let attacker: Receiver;
beforeAll(async () => {
  t = await startTestTripline();
  receiver = await startReceiver();
  attacker = await startReceiver();
});
afterAll(async () => {
  await t?.stop();
  await receiver?.close();
  await attacker?.close();
});

const partnerKey = `partner-key-${Math.random().toString(36).slice(2)}`;

async function sendTest(endpointId: string): Promise<string> {
  const res = await t.api(`/api/v1/endpoints/${endpointId}/test`, { method: 'POST', json: { eventType: 'order.created' } });
  expect(res.status).toBe(202);
  return (await json(res)).id as string;
}

describe('custom header values follow the URL only when entered again (issue 23, item 8)', () => {
  it("refuses an editor's move of the endpoint to their host with the stored header value, and nothing reaches that host", async () => {
    const created = await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: receiver.url, eventTypes: ['order.*'], headers: { 'X-Partner-Key': partnerKey } } }));
    const editor = await userWithRole(t, 'editor');

    const moved = await editor.session.call(`/api/v1/endpoints/${created.id}`, {
      method: 'PUT',
      json: { url: attacker.url, eventTypes: ['order.*'], headers: { 'X-Partner-Key': HEADER_VALUE_MASK } },
    });
    expect(moved.status).toBe(422);
    const body = await json(moved);
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'headers.X-Partner-Key', message: expect.stringContaining('endpoint URL changed') })]);
    // Nothing was changed: the endpoint still points at the receiver, with its value.
    expect((await json(t.api(`/api/v1/endpoints/${created.id}`))).url).toBe(receiver.url);
    const id = await sendTest(created.id);
    const got = await eventually(async () => receiver.requests.find((r) => r.headers['webhook-id'] === id), 'the test delivery');
    expect(got.headers['x-partner-key']).toBe(partnerKey);
    expect(attacker.requests).toEqual([]);
  });

  it('moves the endpoint when the value is entered again, and keeps masks on saves that do not move it', async () => {
    const created = await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: receiver.url, eventTypes: ['order.*'], headers: { 'X-Partner-Key': partnerKey } } }));
    const same = await t.api(`/api/v1/endpoints/${created.id}`, { method: 'PUT', json: { url: receiver.url, eventTypes: ['order.*'], headers: { 'X-Partner-Key': HEADER_VALUE_MASK }, description: 'kept' } });
    expect(same.status).toBe(200);
    const moved = await t.api(`/api/v1/endpoints/${created.id}`, { method: 'PUT', json: { url: attacker.url, eventTypes: ['order.*'], headers: { 'X-Partner-Key': 'a-new-value' } } });
    expect(moved.status).toBe(200);
    const id = await sendTest(created.id);
    const got = await eventually(async () => attacker.requests.find((r) => r.headers['webhook-id'] === id), 'the test delivery at the new URL');
    expect(got.headers['x-partner-key']).toBe('a-new-value');
  });
});

describe('a portal save keeps the custom header values as they are (issue 23, item 10)', () => {
  it('sends the clear value (not a ciphertext) to the receiver after a partner saves the endpoint', async () => {
    const ep = await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: receiver.url, eventTypes: ['order.created'], headers: { 'X-Partner-Key': partnerKey } } }));
    const link = await createLink(t, { endpointIds: [ep.id] });
    const call = portal(t, link.token);
    const put = await call(`/api/v1/portal/endpoints/${ep.id}`, { method: 'PUT', json: { url: receiver.url, eventTypes: ['order.created'], description: 'saved by the partner' } });
    expect(put.status).toBe(200);
    // Twice: each save on main wrapped the value in one more layer of encryption.
    expect((await call(`/api/v1/portal/endpoints/${ep.id}`, { method: 'PUT', json: { url: receiver.url, eventTypes: ['order.created'] } })).status).toBe(200);

    const res = await call(`/api/v1/portal/endpoints/${ep.id}/test`, { method: 'POST', json: { eventType: 'order.created' } });
    expect(res.status).toBe(202);
    const { id } = await json(res);
    const got = await eventually(async () => receiver.requests.find((r) => r.headers['webhook-id'] === id), 'the test delivery');
    expect(got.headers['x-partner-key']).toBe(partnerKey);
  });

  it("refuses a partner's move of an endpoint that sends the admin's header values, with a clear message", async () => {
    const ep = await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: receiver.url, eventTypes: ['order.created'], headers: { 'X-Partner-Key': partnerKey } } }));
    const link = await createLink(t, { endpointIds: [ep.id] });
    const res = await portal(t, link.token)(`/api/v1/portal/endpoints/${ep.id}`, { method: 'PUT', json: { url: attacker.url, eventTypes: ['order.created'] } });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.message).toContain('ask an admin');
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'url' })]);
    expect((await json(t.api(`/api/v1/endpoints/${ep.id}`))).url).toBe(receiver.url);
  });
});
