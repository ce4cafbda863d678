import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { createEndpoint, order, Receiver, sendEvent } from './receiver.ts';

let t: TestTripline;
const receivers: Receiver[] = [];
async function receiver(tls?: ConstructorParameters<typeof Receiver>[0]) {
  const r = await new Receiver(tls).start();
  receivers.push(r);
  return r;
}

beforeAll(async () => {
  t = await startTestTripline({
    TRIPLINE_RETRY_SCHEDULE: '300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms',
    TRIPLINE_DELIVERY_TIMEOUT: '1s',
    TRIPLINE_ENDPOINT_FAILURE_WINDOW: '1s',
  });
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.stop();
});
afterAll(() => t?.stop());

async function deliveriesOf(endpointId: string): Promise<any[]> {
  return (await json<{ data: any[] }>(t.api(`/api/v1/endpoints/${endpointId}/deliveries?limit=200`))).data;
}
async function firstAttempt(endpointId: string): Promise<any> {
  const [d] = await eventually(async () => {
    const list = await deliveriesOf(endpointId);
    return list[0]?.attemptCount >= 1 && list[0].status !== 'sending' ? list : undefined;
  }, 'an attempt');
  return (await json(t.api(`/api/v1/deliveries/${d.id}`))).attempts[0];
}

describe('failure policies', () => {
  it('classifies a receiver that never answers as a timeout', async () => {
    const r = await receiver();
    r.reply = () => new Promise(() => {});
    const ep = await createEndpoint(t, { url: `${r.url}/slow`, eventTypes: ['order.created'] });
    await sendEvent(t, order('o-timeout'));
    const attempt = await firstAttempt(ep.id);
    expect(attempt).toMatchObject({ outcome: 'failed', errorClass: 'timeout', responseStatus: null });
    await t.api(`/api/v1/endpoints/${ep.id}`, { method: 'DELETE' });
  });

  it('disables an endpoint failing for longer than the failure window and emits endpoint.disabled', async () => {
    const r = await receiver();
    r.reply = (_req, res) => void res.writeHead(500).end('boom');
    const ep = await createEndpoint(t, { url: `${r.url}/failing`, eventTypes: ['order.created'] });
    await sendEvent(t, order('o-window'));
    const disabled = await eventually(async () => {
      const e = await json(t.api(`/api/v1/endpoints/${ep.id}`));
      return e.enabled ? undefined : e;
    }, 'the endpoint disabled');
    expect(disabled.disabledReason).toMatch(/failure window/);
    expect(disabled.failingSince).toBeTruthy();
    const { rows } = await t.ctx.pool.query(`select data from events where type = 'endpoint.disabled'`);
    expect(rows.map((row) => row.data.endpointId)).toContain(ep.id);
    expect((await deliveriesOf(ep.id))[0].status).toBe('paused');
  });

  it('marks an endpoint failing when an attempt fails and clears it when the receiver answers again', async () => {
    const r = await receiver();
    let calls = 0;
    r.reply = (_req, res) => void (++calls === 1 ? res.writeHead(500).end('boom') : res.writeHead(200).end('ok'));
    const ep = await createEndpoint(t, { url: `${r.url}/recovers`, eventTypes: ['order.created'] });
    await sendEvent(t, order('o-recovers'));
    const [d] = await eventually(async () => {
      const list = await deliveriesOf(ep.id);
      return list[0]?.status === 'succeeded' ? list : undefined;
    }, 'the delivery to succeed on its retry');
    // The failed attempt marked the endpoint failing (it was not yet), the answer cleared it.
    const detail = await json(t.api(`/api/v1/deliveries/${d.id}`));
    expect(detail.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['failed', 'succeeded']);
    const endpoint = await json(t.api(`/api/v1/endpoints/${ep.id}`));
    expect(endpoint).toMatchObject({ enabled: true, failingSince: null });
  });
});

describe('rate limit and concurrency', () => {
  it('holds max concurrency under a burst without starving another endpoint', async () => {
    const limited = await receiver();
    limited.reply = (_req, res) => new Promise((resolve) => setTimeout(() => resolve(void res.writeHead(200).end()), 150));
    const free = await receiver();
    const a = await createEndpoint(t, { url: `${limited.url}/a`, eventTypes: ['customer.updated'], maxConcurrency: 2 });
    await createEndpoint(t, { url: `${free.url}/b`, eventTypes: ['customer.updated'] });
    const res = await t.api('/api/v1/events', {
      method: 'POST',
      json: Array.from({ length: 12 }, (_, i) => ({ type: 'customer.updated', data: { customerId: `burst-${i}` } })),
    });
    expect(res.status).toBe(202);
    await eventually(async () => free.requests.length === 12, 'the unlimited endpoint served');
    await eventually(async () => limited.requests.length === 12, 'the limited endpoint served', 30_000);
    expect(limited.maxInFlight).toBeLessThanOrEqual(2);
    expect(limited.maxInFlight).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await deliveriesOf(a.id)).every((d) => d.status === 'succeeded'), 'every limited delivery recorded');
  });

  it('holds a rate limit in deliveries per second', async () => {
    const r = await receiver();
    await createEndpoint(t, { url: `${r.url}/rate`, eventTypes: ['customer.created'], rateLimitPerSecond: 4 });
    await t.api('/api/v1/events', {
      method: 'POST',
      json: Array.from({ length: 10 }, (_, i) => ({ type: 'customer.created', data: { customerId: `rate-${i}` } })),
    });
    await eventually(async () => r.requests.length === 10, 'every delivery', 30_000);
    const times = r.requests.map((x) => x.at).sort((x, y) => x - y);
    // In any one-second window, at most the limit (plus one for network jitter at the window's edge).
    const busiest = Math.max(...times.map((start) => times.filter((at) => at >= start && at < start + 1000).length));
    expect(busiest).toBeLessThanOrEqual(5);
  });
});

describe('OAuth 2.0 client credentials', () => {
  it('fetches a token, caches it, and refreshes it once when the receiver answers 401', async () => {
    const auth = await receiver();
    let issued = 0;
    let valid = 'tok-1';
    auth.reply = (req, res) => {
      if (req.path === '/token') {
        const expected = `Basic ${Buffer.from('tripline:s3cret').toString('base64')}`;
        if (req.headers.authorization !== expected || !req.body.includes('grant_type=client_credentials') || !req.body.includes('scope=hooks')) {
          return void res.writeHead(401).end();
        }
        issued++;
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `tok-${issued}`, token_type: 'Bearer', expires_in: 3600 }));
      }
      res.writeHead(req.headers.authorization === `Bearer ${valid}` ? 200 : 401).end();
    };
    const ep = await createEndpoint(t, {
      url: `${auth.url}/hook`,
      eventTypes: ['cart.updated'],
      auth: { kind: 'oauth2', tokenUrl: `${auth.url}/token`, clientId: 'tripline', clientSecret: 's3cret', scope: 'hooks' },
    });
    expect(ep.auth).toEqual({ kind: 'oauth2', tokenUrl: `${auth.url}/token`, clientId: 'tripline', scope: 'hooks', hasClientSecret: true });
    const cart = (id: string) => ({ type: 'cart.updated', data: { cartId: id, customerId: 'c1', total: 1, items: [] } });
    await sendEvent(t, cart('k1'));
    await sendEvent(t, cart('k2'));
    await eventually(async () => (await deliveriesOf(ep.id)).filter((d) => d.status === 'succeeded').length === 2, 'two deliveries');
    expect(issued).toBe(1);

    // The receiver revokes the token: one 401, one new token, then success in the same attempt.
    valid = 'tok-2';
    await sendEvent(t, cart('k3'));
    await eventually(async () => (await deliveriesOf(ep.id)).filter((d) => d.status === 'succeeded').length === 3, 'the third delivery');
    expect(issued).toBe(2);
    const [latest] = await deliveriesOf(ep.id);
    const detail = await json(t.api(`/api/v1/deliveries/${latest.id}`));
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0].requestHeaders.authorization).toBe('Bearer [redacted]');
    const hooks = auth.to('/hook').map((x) => x.headers.authorization);
    expect(hooks).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
    // The client secret is never shown again.
    expect(JSON.stringify(await json(t.api(`/api/v1/endpoints/${ep.id}`)))).not.toContain('s3cret');
  });
});

describe('mutual TLS', () => {
  let dir: string;
  const pem = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tripline-mtls-'));
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=Tripline Test CA');
    fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    fs.writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    for (const who of ['server', 'client']) {
      run('req', ...ec, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=tripline-${who}`);
      run('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.crt`, '-days', '1', '-extfile', `${who}.ext`);
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const httpsReceiver = () =>
    receiver({ key: pem('server.key'), cert: pem('server.crt'), ca: pem('ca.crt'), requestCert: true, rejectUnauthorized: true });

  it('presents the endpoint client certificate to a receiver that requires one', async () => {
    const r = await httpsReceiver();
    const ep = await createEndpoint(t, {
      url: `${r.url}/mtls`,
      eventTypes: ['discount.applied'],
      auth: { kind: 'mtls', cert: pem('client.crt'), key: pem('client.key'), ca: pem('ca.crt') },
    });
    expect(ep.auth).toMatchObject({ kind: 'mtls', hasKey: true });
    expect(JSON.stringify(ep)).not.toContain('PRIVATE KEY');
    await sendEvent(t, { type: 'discount.applied', data: { orderId: 'o1', customerId: 'c1', code: 'TEN', amount: 10 } });
    const got = await eventually(async () => r.requests[0], 'the mTLS delivery');
    expect(got.clientCert).toBe('tripline-client');
    expect(new Webhook(ep.secret).verify(got.body, {
      'webhook-id': String(got.headers['webhook-id']),
      'webhook-timestamp': String(got.headers['webhook-timestamp']),
      'webhook-signature': String(got.headers['webhook-signature']),
    })).toBeTruthy();
  });

  it('fails the attempt, classified as TLS, when no client certificate is presented', async () => {
    const r = await httpsReceiver();
    const ep = await createEndpoint(t, { url: `${r.url}/mtls`, eventTypes: ['promotion.rule_qualified'] });
    await sendEvent(t, { type: 'promotion.rule_qualified', data: { customerId: 'c1', ruleId: 'r1', campaignId: 'cmp1' } });
    const attempt = await firstAttempt(ep.id);
    expect(attempt.outcome).toBe('failed');
    expect(['tls', 'reset']).toContain(attempt.errorClass);
    expect(r.requests).toHaveLength(0);
    await t.api(`/api/v1/endpoints/${ep.id}`, { method: 'DELETE' });
  });

  it('refuses a certificate and key that do not belong together', async () => {
    const res = await t.api('/api/v1/endpoints', {
      method: 'POST',
      json: { url: 'https://127.0.0.1:1/x', eventTypes: ['*'], auth: { kind: 'mtls', cert: pem('client.crt'), key: pem('server.key') } },
    });
    expect(res.status).toBe(422);
    expect((await json(res)).error.details[0].path).toBe('auth');
  });
});
