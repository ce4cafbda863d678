import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { order, Receiver, sendEvent } from './receiver.ts';

/** Tripline as deployed: private and loopback targets are refused. */
let t: TestTripline;
let r: Receiver;
beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_ALLOW_PRIVATE_TARGETS: '0' });
  r = await new Receiver().start();
});
afterAll(async () => {
  await r?.stop();
  await t?.stop();
});

describe('SSRF guard', () => {
  const refused = [
    'http://127.0.0.1:8080/hook',
    'http://127.1/hook',
    'http://2130706433/hook',
    'http://0x7f000001/hook',
    'http://0.0.0.0/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://localhost/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    'http://10.0.0.8/hook',
    'http://192.168.1.20/hook',
    'http://100.64.0.1/hook',
    'ftp://example.com/hook',
  ];
  it.each(refused)('refuses to save an endpoint targeting %s', async (url) => {
    const res = await t.api('/api/v1/endpoints', { method: 'POST', json: { url, eventTypes: ['order.created'] } });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.details[0].path).toBe('url');
  });

  it('refuses an OAuth token URL on a private address', async () => {
    const res = await t.api('/api/v1/endpoints', {
      method: 'POST',
      json: { url: 'https://8.8.8.8/hook', eventTypes: ['*'], auth: { kind: 'oauth2', tokenUrl: 'http://169.254.169.254/token', clientId: 'a', clientSecret: 'b' } },
    });
    expect(res.status).toBe(422);
    expect((await json(res)).error.details.map((d: { path: string }) => d.path)).toContain('auth.tokenUrl');
  });

  it('checks again when connecting: an endpoint whose target became loopback is never contacted', async () => {
    // As if the name had resolved to a public address when saved (DNS rebinding), or the
    // row predates the guard: the worker refuses the address it would connect to.
    for (const [id, url] of [
      ['ep_rebound_ip', `http://127.0.0.1:${r.port}/hook`],
      ['ep_rebound_name', `http://localhost:${r.port}/hook`],
    ]) {
      await t.ctx.pool.query(`insert into endpoints (id, url, event_types, secret_enc) values ($1, $2, '{order.created}', $3)`, [
        id,
        url,
        t.ctx.secrets.encrypt('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'),
      ]);
    }
    await sendEvent(t, order('o-ssrf'));
    for (const id of ['ep_rebound_ip', 'ep_rebound_name']) {
      const [d] = await eventually(async () => {
        const list = (await json(t.api(`/api/v1/endpoints/${id}/deliveries`))).data;
        return list[0]?.attemptCount >= 1 && list[0].status !== 'sending' ? list : undefined;
      }, 'an attempt');
      const detail = await json(t.api(`/api/v1/deliveries/${d.id}`));
      expect(detail.attempts[0]).toMatchObject({ outcome: 'failed', errorClass: 'ssrf_blocked', responseStatus: null });
      expect(detail.attempts[0].error).toMatch(/loopback|this machine/);
    }
    expect(r.requests).toHaveLength(0);
  });
});
