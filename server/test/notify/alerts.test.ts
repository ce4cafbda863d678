import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, sendEvents } from '../support/engine.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
let smtp: TestSmtpServer;
let gone: Receiver;

beforeAll(async () => {
  smtp = await startSmtpServer();
  gone = await startReceiver(410);
  t = await startTestTripline({ TRIPLINE_ALERT_TICK: '300ms', TRIPLINE_NOTIFY_RETRY_SCHEDULE: '100ms' });
  expect((await t.api('/api/v1/notify/smtp', { method: 'PUT', json: { host: smtp.host, port: smtp.port, security: 'none', from: 'tripline@example.com' } })).status).toBe(200);
  const alerts = await t.api('/api/v1/settings/alerts', { method: 'PUT', json: { value: { email: ['oncall@example.com'] } } });
  expect(alerts.status).toBe(200);
});
afterAll(async () => {
  await t?.stop();
  await smtp?.close();
  await gone?.close();
});

const alertMails = (url: string) => smtp.messages.filter((m) => m.subject.includes(url));

describe('alerts', () => {
  it('emails once when Tripline disables an endpoint and once when it is enabled again, with a link to its page', async () => {
    const endpoint = await json(t.api('/api/v1/endpoints', { method: 'POST', json: { url: gone.url, eventTypes: ['order.cancelled'] } }));
    await sendEvents(t, { type: 'order.cancelled', data: { orderId: 'al-1', customerId: 'cus_alert', reason: 'test' } });
    const opened = await eventually(async () => alertMails(gone.url).find((m) => m.subject.startsWith('[Tripline] Endpoint disabled')), 'the endpoint-disabled alert');
    expect(opened.to).toEqual(['oncall@example.com']);
    expect(opened.text).toContain('410 Gone');
    expect(opened.text).toContain(`/endpoints/${endpoint.id}`);

    // Many sweeps later, still one message for this opening.
    const sweeps = async () => (await t.ctx.pool.query(`select count(*)::int as n from alerts where key = $1 and cleared_at is null`, [`endpoint-disabled:${endpoint.id}`])).rows[0].n;
    expect(await sweeps()).toBe(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(alertMails(gone.url)).toHaveLength(1);

    // The receiver is fixed, then someone enables the endpoint again (its paused delivery goes out).
    gone.status = 200;
    expect((await t.api(`/api/v1/endpoints/${endpoint.id}/enable`, { method: 'POST' })).status).toBe(200);
    const cleared = await eventually(async () => alertMails(gone.url).find((m) => m.subject.startsWith('[Tripline] Resolved')), 'the cleared alert');
    expect(cleared.text).toContain('cleared at');
    await new Promise((r) => setTimeout(r, 1500));
    expect(alertMails(gone.url).map((m) => m.subject)).toEqual([`[Tripline] Endpoint disabled: ${gone.url}`, `[Tripline] Resolved: Endpoint disabled: ${gone.url}`]);

    const list = await json(t.api('/api/v1/alerts'));
    expect(list.data.find((a: { key: string }) => a.key === `endpoint-disabled:${endpoint.id}`)).toMatchObject({ kind: 'endpoint-disabled', clearedAt: expect.any(String) });
  });

  it('refuses an alert address that is not one, naming the field', async () => {
    const res = await t.api('/api/v1/settings/alerts', { method: 'PUT', json: { value: { email: ['not-an-address'] } } });
    expect(res.status).toBe(422);
  });
});
