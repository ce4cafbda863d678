import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRole } from '../accounts/support.ts';
import { createEndpoint, order, Receiver, sendEvent, type Received } from '../delivery/receiver.ts';
import { eventually, json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { createLink, portal } from './support.ts';

/** The links API, and what a partner does through the portal API, end to end with a real receiver. */

let t: TestTripline;
let receiver: Receiver;
let webDist: string;

beforeAll(async () => {
  webDist = fs.mkdtempSync(path.join(os.tmpdir(), 'tripline-portal-web-'));
  fs.writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><title>Tripline</title>');
  t = await startTestTripline({ TRIPLINE_WEB_DIST: webDist });
  receiver = await new Receiver().start();
});
afterAll(async () => {
  await receiver?.stop();
  await t?.stop();
  fs.rmSync(webDist, { recursive: true, force: true });
});

const verify = (secret: string, r: Received) =>
  new Webhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  });

describe('portal links', () => {
  it('answers id, url, token and expiresAt (7 days by default), stores only the token\'s hash, audits it', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/links`, eventTypes: ['order.*'] });
    const res = await t.api('/api/v1/portal/links', { method: 'POST', json: { endpointIds: [ep.id], name: 'Fulfilment team' } });
    expect(res.status).toBe(201);
    const link = await json(res);
    expect(link.token).toMatch(/^tlp_[A-Za-z0-9_-]{43}$/);
    expect(link.url).toBe(`${t.url}/portal/${link.id}#token=${link.token}`);
    const days = (Date.parse(link.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);

    const { rows } = await t.ctx.pool.query(`select * from portal_links where id = $1`, [link.id]);
    expect(rows[0].token_hash).toBe(crypto.createHash('sha256').update(link.token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(link.token.slice(4));

    const listed = await json(t.api(`/api/v1/portal/links?endpointId=${ep.id}`));
    expect(listed.data).toEqual([expect.objectContaining({ id: link.id, name: 'Fulfilment team', endpointIds: [ep.id], status: 'active' })]);
    expect(JSON.stringify(listed)).not.toContain(link.token.slice(4));

    const audit = await t.ctx.pool.query(`select action, actor, after from audit_log where target_type = 'portal_link' and target_id = $1`, [link.id]);
    expect(audit.rows).toEqual([expect.objectContaining({ action: 'portal_link.create', actor: 'api-key:TRIPLINE_API_KEY' })]);
    expect(JSON.stringify(audit.rows)).not.toContain(link.token.slice(4));

    expect((await t.api(`/api/v1/portal/links/${link.id}`, { method: 'DELETE' })).status).toBe(204);
    const revoked = await t.ctx.pool.query(`select action from audit_log where target_id = $1 order by id`, [link.id]);
    expect(revoked.rows.map((r) => r.action)).toEqual(['portal_link.create', 'portal_link.revoke']);
    expect((await json(t.api(`/api/v1/portal/links?endpointId=${ep.id}`))).data[0].status).toBe('revoked');
    expect((await t.api('/api/v1/portal/links/pl_missing', { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses more than 90 days, unknown endpoints and no endpoints with 422 naming the field', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/limits`, eventTypes: [] });
    const long = await t.api('/api/v1/portal/links', { method: 'POST', json: { endpointIds: [ep.id], expiresInMinutes: 90 * 1440 + 1 } });
    expect(long.status).toBe(422);
    expect((await json(long)).error.details[0].path).toBe('expiresInMinutes');
    const ok = await createLink(t, { endpointIds: [ep.id], expiresInMinutes: 90 * 1440 });
    expect(Date.parse(ok.expiresAt) - Date.now()).toBeGreaterThan(89.9 * 86_400_000);
    const unknown = await t.api('/api/v1/portal/links', { method: 'POST', json: { endpointIds: [ep.id, 'ep_nope'] } });
    expect(unknown.status).toBe(422);
    expect((await json(unknown)).error.details).toEqual([{ path: 'endpointIds.1', message: 'no endpoint "ep_nope"' }]);
    const none = await t.api('/api/v1/portal/links', { method: 'POST', json: { endpointIds: [] } });
    expect((await json(none)).error.details[0].path).toBe('endpointIds');
    const framed = await t.api('/api/v1/portal/links', { method: 'POST', json: { endpointIds: [ep.id], frameAncestors: ['https://shop.example/path'] } });
    expect((await json(framed)).error.details[0].path).toBe('frameAncestors.0');
  });

  it('lets admins and editors make links, not viewers or marketers', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/roles`, eventTypes: [] });
    for (const [role, status] of [['editor', 201], ['viewer', 403], ['marketer', 403]] as const) {
      const u = await userWithRole(t, role);
      const res = await u.session.call('/api/v1/portal/links', { method: 'POST', json: { endpointIds: [ep.id] } });
      expect(res.status, role).toBe(status);
    }
  });

  it('serves the page without sign-in, with frame-ancestors chosen per link', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/page`, eventTypes: [] });
    const closed = await createLink(t, { endpointIds: [ep.id] });
    const embedded = await createLink(t, { endpointIds: [ep.id], frameAncestors: ['https://shop.example.com', 'https://*.example.org'] });
    const page = await fetch(`${t.url}/portal/${closed.id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Tripline</title>');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const framed = await fetch(`${t.url}/portal/${embedded.id}`);
    expect(framed.headers.get('content-security-policy')).toContain('frame-ancestors https://shop.example.com https://*.example.org');
    expect(framed.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(framed.headers.get('x-frame-options')).toBeNull();
    // Another link's page (or a revoked one) is not embeddable by the first link's origins.
    await t.api(`/api/v1/portal/links/${embedded.id}`, { method: 'DELETE' });
    expect((await fetch(`${t.url}/portal/${embedded.id}`)).headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});

describe('what a partner does', () => {
  it('sees deliveries with filters and masked secrets, replays one, sends a test event, recovers, rotates the secret; all audited as the link', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/partner`, eventTypes: ['order.created'], headers: { 'x-api-key': 'partner-header-secret' } });
    const link = await createLink(t, { endpointIds: [ep.id], name: 'Warehouse' });
    const call = portal(t, link.token);
    await sendEvent(t, order('ops-1'));
    const first = await eventually(async () => (await json(call(`/api/v1/portal/endpoints/${ep.id}/deliveries`))).data.find((d: any) => d.status === 'succeeded'), 'the first delivery');

    // Filters: status, event type, time.
    expect((await json(call(`/api/v1/portal/endpoints/${ep.id}/deliveries?status=failed`))).data).toEqual([]);
    expect((await json(call(`/api/v1/portal/endpoints/${ep.id}/deliveries?eventType=order.paid`))).data).toEqual([]);
    expect((await json(call(`/api/v1/portal/endpoints/${ep.id}/deliveries?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`))).data).toEqual([]);
    expect((await json(call(`/api/v1/portal/endpoints/${ep.id}/deliveries?eventType=order.created&until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`))).data.map((d: any) => d.id)).toEqual([first.id]);
    expect((await call(`/api/v1/portal/endpoints/${ep.id}/deliveries?since=yesterday`)).status).toBe(422);

    const detail = await json(call(`/api/v1/portal/deliveries/${first.id}`));
    expect(detail.attempts[0].requestHeaders['x-api-key']).toBe('[masked]');
    expect(detail.attempts[0].requestHeaders['webhook-signature']).toMatch(/^v1,/);
    expect(detail.attempts[0].responseStatus).toBe(200);
    expect(JSON.stringify(detail)).not.toContain('partner-header-secret');
    expect(JSON.stringify(await json(call(`/api/v1/portal/endpoints/${ep.id}`)))).not.toContain('partner-header-secret');

    const before = receiver.requests.length;
    expect((await call(`/api/v1/portal/deliveries/${first.id}/replay`, { method: 'POST' })).status).toBe(202);
    await eventually(async () => receiver.requests.length > before, 'the replay to arrive');
    expect(receiver.requests.at(-1)!.headers['webhook-id']).toBe(first.id);
    verify(ep.secret, receiver.requests.at(-1)!);

    const rotated = await json(call(`/api/v1/portal/endpoints/${ep.id}/rotate-secret`, { method: 'POST', json: { graceSeconds: 0 } }));
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(JSON.stringify(await json(call(`/api/v1/portal/endpoints/${ep.id}`)))).not.toContain(rotated.secret.slice(6));

    const test = await call(`/api/v1/portal/endpoints/${ep.id}/test`, { method: 'POST', json: { eventType: 'order.refunded' } });
    expect(test.status).toBe(202);
    const testId = (await json(test)).id;
    const arrived = await eventually(async () => receiver.requests.find((r) => r.headers['webhook-id'] === testId), 'the test event');
    expect(JSON.parse(arrived.body).type).toBe('order.refunded');
    verify(rotated.secret, arrived);
    expect(() => verify(ep.secret, arrived)).toThrow();
    expect((await call(`/api/v1/portal/endpoints/${ep.id}/test`, { method: 'POST', json: { eventType: 'order.teleported' } })).status).toBe(422);

    receiver.reply = (_req, res) => void res.writeHead(500).end('down');
    await sendEvent(t, order('ops-2'));
    await eventually(async () => (await json(call(`/api/v1/portal/endpoints/${ep.id}/deliveries?status=failed`))).data[0], 'a failed delivery', 20_000);
    receiver.reply = (_req, res) => void res.writeHead(200).end('ok');
    const recovered = await json(call(`/api/v1/portal/endpoints/${ep.id}/recover`, { method: 'POST', json: { since: new Date(Date.now() - 3_600_000).toISOString() } }));
    expect(recovered.requeued).toBe(1);
    await eventually(async () => (await json(call(`/api/v1/portal/endpoints/${ep.id}/deliveries?status=failed`))).data.length === 0, 'the recovered delivery to succeed');

    const audit = await t.ctx.pool.query(`select action, actor, actor_id from audit_log where actor_id = $1 order by id`, [link.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['delivery.replay', 'endpoint.rotate_secret', 'endpoint.test', 'endpoint.recover']);
    expect(new Set(audit.rows.map((r) => r.actor))).toEqual(new Set(['portal-link:Warehouse']));
    expect(JSON.stringify(audit.rows)).not.toContain(rotated.secret.slice(6));
  });

  it('changes url, event types, filter and enabled; keeps the admin\'s limits; the SSRF guard still refuses (0.0.0.0 is refused even with private targets allowed)', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/edit`, eventTypes: ['order.*'], rateLimitPerSecond: 5 });
    const link = await createLink(t, { endpointIds: [ep.id] });
    const call = portal(t, link.token);
    const put = await call(`/api/v1/portal/endpoints/${ep.id}`, {
      method: 'PUT',
      json: { url: `${receiver.url}/edited`, description: 'Edited by partner', eventTypes: ['order.created'], filter: { '>': [{ var: 'data.total' }, 5] }, enabled: true },
    });
    expect(put.status).toBe(200);
    expect(await json(put)).toMatchObject({ url: `${receiver.url}/edited`, eventTypes: ['order.created'], description: 'Edited by partner' });
    const admin = await json(t.api(`/api/v1/endpoints/${ep.id}`));
    expect(admin).toMatchObject({ url: `${receiver.url}/edited`, rateLimitPerSecond: 5 });
    expect(admin.headers).toEqual({});

    const metadata = await call(`/api/v1/portal/endpoints/${ep.id}`, { method: 'PUT', json: { url: 'http://0.0.0.0:80/hook', eventTypes: [] } });
    expect(metadata.status).toBe(422);
    expect((await json(metadata)).error.details[0].path).toBe('url');
    const sneaky = await call(`/api/v1/portal/endpoints/${ep.id}`, { method: 'PUT', json: { url: `${receiver.url}/x`, headers: { 'x-api-key': 'mine' }, rateLimitPerSecond: 10_000 } });
    expect(sneaky.status).toBe(200);
    expect(await json(t.api(`/api/v1/endpoints/${ep.id}`))).toMatchObject({ rateLimitPerSecond: 5, headers: {} });
    const audit = await t.ctx.pool.query(`select action from audit_log where actor_id = $1`, [link.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['endpoint.update', 'endpoint.update']);
  });

  it('keeps the old secret verifying through the grace period after a partner rotates', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/grace`, eventTypes: [] });
    const link = await createLink(t, { endpointIds: [ep.id] });
    const call = portal(t, link.token);
    const rotated = await json(call(`/api/v1/portal/endpoints/${ep.id}/rotate-secret`, { method: 'POST', json: {} }));
    expect(Date.parse(rotated.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(86_000_000);
    expect((await json(call(`/api/v1/portal/endpoints/${ep.id}`))).previousSecretExpiresAt).toBe(rotated.previousSecretExpiresAt);
    const { id } = await json(call(`/api/v1/portal/endpoints/${ep.id}/test`, { method: 'POST', json: { eventType: 'customer.created' } }));
    const arrived = await eventually(async () => receiver.requests.find((r) => r.headers['webhook-id'] === id), 'the test event');
    verify(rotated.secret, arrived);
    verify(ep.secret, arrived);
  });

  it('lists the catalog with schemas and examples, marked where the link subscribes', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/catalog`, eventTypes: ['inventory.*', 'order.paid'] });
    const link = await createLink(t, { endpointIds: [ep.id] });
    const { data } = await json(portal(t, link.token)('/api/v1/portal/event-types'));
    const subscribed = data.filter((e: any) => e.subscribed).map((e: any) => e.type);
    expect(subscribed).toEqual(['order.paid', 'inventory.threshold_crossed']);
    expect(data.find((e: any) => e.type === 'order.paid')).toMatchObject({ schema: expect.any(Object), example: expect.any(Object) });
  });

  it('limits each link to its requests a minute (429 with Retry-After), leaving other links alone', async () => {
    const ep = await createEndpoint(t, { url: `${receiver.url}/rate`, eventTypes: [] });
    const tight = await createLink(t, { endpointIds: [ep.id], rateLimitPerMinute: 3 });
    const other = await createLink(t, { endpointIds: [ep.id] });
    // 7 requests span at most two minute windows, so one of them holds 4: the limit is crossed.
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const res = await portal(t, tight.token)('/api/v1/portal/endpoints');
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect((await portal(t, other.token)('/api/v1/portal/endpoints')).status).toBe(200);
  });
});
