import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, userWithRole } from '../accounts/support.ts';
import { startTestTripline, TEST_ADMIN, type TestTripline } from '../support/tripline.ts';

/** Forged and replayed WooCommerce webhooks, and every way to be the wrong caller. */
let t: TestTripline;
let source: { id: string; secret: string };
beforeAll(async () => {
  t = await startTestTripline();
  source = (await (await t.api('/api/v1/sources', { method: 'POST', json: { kind: 'woocommerce', name: 'Hostile shop' } })).json()) as { id: string; secret: string };
});
afterAll(async () => {
  await t?.stop();
});

async function error(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

const customerBody = JSON.stringify({ id: 91, email: 'ada@example.com', first_name: 'Ada', last_name: 'L', date_created_gmt: '2026-11-01T10:00:00' });
const sign = (body: string, secret = source.secret) => crypto.createHmac('sha256', secret).update(body).digest('base64');
const woo = (body: string, headers: Record<string, string>) =>
  fetch(`${t.url}/api/v1/ingest/woocommerce/${source.id}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
const SIGNATURE_MESSAGE = "X-WC-Webhook-Signature is missing or does not match the body signed with this source's secret";

async function eventCount(): Promise<number> {
  return (await t.ctx.pool.query('select count(*)::int as n from events')).rows[0].n;
}

describe('WooCommerce ingestion', () => {
  it('a wrong signature: 401 invalid_signature, nothing stored', async () => {
    const before = await eventCount();
    for (const signature of [sign(customerBody, 'not the secret'), sign(customerBody + ' '), 'AAAA', '!!not base64!!', sign(customerBody).slice(0, -4)]) {
      const res = await woo(customerBody, { 'x-wc-webhook-topic': 'customer.created', 'x-wc-webhook-signature': signature, 'x-wc-webhook-delivery-id': '1' });
      expect(res.status, signature).toBe(401);
      expect(await error(res)).toMatchObject({ code: 'invalid_signature', message: SIGNATURE_MESSAGE });
    }
    expect(await eventCount()).toBe(before);
  });

  it('a missing signature: 401 invalid_signature', async () => {
    const res = await woo(customerBody, { 'x-wc-webhook-topic': 'customer.created', 'x-wc-webhook-delivery-id': '2' });
    expect(res.status).toBe(401);
    expect(await error(res)).toMatchObject({ code: 'invalid_signature', message: SIGNATURE_MESSAGE });
  });

  it('an unknown source: 404', async () => {
    const res = await fetch(`${t.url}/api/v1/ingest/woocommerce/src_nope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: customerBody });
    expect(res.status).toBe(404);
    expect(await error(res)).toMatchObject({ code: 'not_found', message: 'source "src_nope" does not exist' });
  });

  it('an unknown topic, correctly signed: 422 unsupported_topic naming the supported ones', async () => {
    const res = await woo(customerBody, { 'x-wc-webhook-topic': 'coupon.created', 'x-wc-webhook-signature': sign(customerBody), 'x-wc-webhook-delivery-id': '3' });
    expect(res.status).toBe(422);
    expect(await error(res)).toMatchObject({
      code: 'unsupported_topic',
      message:
        'WooCommerce topic "coupon.created" is not supported; choose one of order.created, order.updated, product.created, product.updated, customer.created, customer.updated in WooCommerce → Settings → Advanced → Webhooks',
    });
  });

  it('a replayed delivery id is answered 200 and stores nothing more', async () => {
    const headers = { 'x-wc-webhook-topic': 'customer.created', 'x-wc-webhook-signature': sign(customerBody), 'x-wc-webhook-delivery-id': '777' };
    const first = await woo(customerBody, headers);
    expect(first.status).toBe(200);
    const firstBody = (await first.json()) as { events: { id: string }[] };
    expect(firstBody.events).toHaveLength(1);
    const after = await eventCount();
    for (let i = 0; i < 3; i++) {
      const again = await woo(customerBody, headers);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ received: true, duplicate: true, topic: 'customer.created', events: [] });
    }
    expect(await eventCount()).toBe(after);
  });

  it('a signed body that is not JSON: 400 malformed_json', async () => {
    const body = '{"id": 1,';
    const res = await woo(body, { 'x-wc-webhook-topic': 'customer.created', 'x-wc-webhook-signature': sign(body), 'x-wc-webhook-delivery-id': '4' });
    expect(res.status).toBe(400);
    expect(await error(res)).toMatchObject({ code: 'malformed_json', message: 'the webhook body is not valid JSON' });
  });
});

describe('authentication and authorisation', () => {
  it('no API key, a wrong one, or a malformed header: 401', async () => {
    for (const authorization of [undefined, 'Bearer wrong-key-0123456789abcdef', 'Basic YWRtaW46YWRtaW4=', 'Bearer ']) {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      const res = await fetch(`${t.url}/api/v1/workflows`, { headers });
      expect(res.status, String(authorization)).toBe(401);
      expect(await error(res)).toMatchObject({ code: 'unauthenticated', message: 'sign in, or send an API key as "Authorization: Bearer <key>"' });
    }
  });

  it('a revoked API key stops working at once', async () => {
    const created = (await (await t.api('/api/v1/api-keys', { method: 'POST', json: { name: 'temp', scope: 'admin' } })).json()) as { id: string; key: string };
    const withKey = () => fetch(`${t.url}/api/v1/workflows`, { headers: { authorization: `Bearer ${created.key}` } });
    expect((await withKey()).status).toBe(200);
    expect((await t.api(`/api/v1/api-keys/${created.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    const res = await withKey();
    expect(res.status).toBe(401);
    expect((await error(res)).code).toBe('unauthenticated');
  });

  it('an expired session is signed out (401), also with its CSRF token', async () => {
    const session = await signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
    expect((await session.call('/api/v1/auth/me')).status).toBe(200);
    await t.ctx.pool.query(`update sessions set expires_at = now() - interval '1 second'`);
    const me = await session.call('/api/v1/auth/me');
    expect(me.status).toBe(401);
    expect((await error(me)).code).toBe('unauthenticated');
    const write = await session.call('/api/v1/workflows', { method: 'POST', json: { name: 'late', graph: { nodes: [], edges: [] } } });
    expect(write.status).toBe(401);
  });

  it('an idle session times out too', async () => {
    const session = await signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
    await t.ctx.pool.query(`update sessions set last_seen_at = now() - interval '13 hours'`);
    expect((await session.call('/api/v1/auth/me')).status).toBe(401);
  });

  it('a tampered session cookie is nobody', async () => {
    const session = await signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
    const forged = session.cookie.slice(0, -2) + (session.cookie.endsWith('aa') ? 'bb' : 'aa');
    const res = await fetch(`${t.url}/api/v1/auth/me`, { headers: { cookie: forged } });
    expect(res.status).toBe(401);
  });

  it('the wrong role: 403 naming the permission', async () => {
    const viewer = await userWithRole(t, 'viewer');
    const res = await viewer.session.call('/api/v1/workflows', { method: 'POST', json: { name: 'nope', graph: { nodes: [], edges: [] } } });
    expect(res.status).toBe(403);
    expect(await error(res)).toMatchObject({ code: 'forbidden', message: 'your role (viewer) may not do this: needs workflows:write' });
    const marketer = await userWithRole(t, 'marketer');
    const keys = await marketer.session.call('/api/v1/api-keys', { method: 'POST', json: { name: 'mine', scope: 'admin' } });
    expect(keys.status).toBe(403);
    expect((await error(keys)).message).toBe('your role (marketer) may not do this: needs apikeys:manage');
  });

  it('a cookie-authenticated write without the CSRF token (or with a wrong one): 403 csrf_failed', async () => {
    const session = await signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
    const message = 'missing or wrong X-CSRF-Token header: read the token from GET /api/v1/auth/me and send it with every write';
    const without = await session.call('/api/v1/workflows', { method: 'POST', csrf: false, json: { name: 'csrf', graph: { nodes: [], edges: [] } } });
    expect(without.status).toBe(403);
    expect(await error(without)).toMatchObject({ code: 'csrf_failed', message });
    const wrong = await session.call('/api/v1/workflows', {
      method: 'POST',
      csrf: false,
      headers: { 'x-csrf-token': 'x'.repeat(session.csrfToken.length) },
      json: { name: 'csrf', graph: { nodes: [], edges: [] } },
    });
    expect(wrong.status).toBe(403);
    expect((await error(wrong)).code).toBe('csrf_failed');
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from workflows where name = 'csrf'`);
    expect(rows[0].n).toBe(0);
  });
});
