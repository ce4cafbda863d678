import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded-postgres.ts';
import { healthRouter } from '../../src/http/routes/health.ts';
import { signIn, userWithRole } from '../accounts/support.ts';
import { json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_METRICS_TOKEN: METRICS_TOKEN });
});
afterAll(() => t?.stop());

const withKey = (key: string, path: string, init: RequestInit = {}) =>
  fetch(t.url + path, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) } });

describe('API keys stop with the person who made them (item 7)', () => {
  it('a disabled user\'s keys stop at once, keys they made with a key too, and the list says why', async () => {
    const maker = await userWithRole(t, 'admin');
    const created = await maker.session.call('/api/v1/api-keys', { method: 'POST', json: { name: 'script', scope: 'admin' } });
    expect(created.status).toBe(201);
    const key = (await json(created)).key as string;
    expect((await withKey(key, '/api/v1/workflows')).status).toBe(200);
    // A key made by that key belongs to the same person: it cannot outlive them either.
    const child = (await json(await withKey(key, '/api/v1/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'child', scope: 'read' }) }))).key as string;
    expect((await withKey(child, '/api/v1/workflows')).status).toBe(200);

    expect((await t.api(`/api/v1/users/${maker.id}`, { method: 'PUT', json: { disabled: true } })).status).toBe(200);
    expect((await withKey(key, '/api/v1/workflows')).status).toBe(401);
    expect((await withKey(child, '/api/v1/workflows')).status).toBe(401);
    const list = (await json(t.api('/api/v1/api-keys'))).data as { name: string; ownerUserId: string; ownerActive: boolean }[];
    expect(list.filter((k) => k.ownerUserId === maker.id).map((k) => [k.name, k.ownerActive]).sort()).toEqual([['child', false], ['script', false]]);

    // Enabled again, the keys work again: they were never revoked, only inactive.
    expect((await t.api(`/api/v1/users/${maker.id}`, { method: 'PUT', json: { disabled: false } })).status).toBe(200);
    expect((await withKey(key, '/api/v1/workflows')).status).toBe(200);
  });

  it('a deleted user\'s keys stop at once', async () => {
    const maker = await userWithRole(t, 'admin');
    const session = await signIn(t, maker.email, maker.password);
    const key = (await json(session.call('/api/v1/api-keys', { method: 'POST', json: { name: 'leaver', scope: 'ingest' } }))).key as string;
    const send = () => withKey(key, '/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'customer.created', data: { customerId: 'c1' } }) });
    expect((await send()).status).toBe(202);
    expect((await t.api(`/api/v1/users/${maker.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await send()).status).toBe(401);
  });
});

describe('/healthz tells anonymous callers little (item 10)', () => {
  it('answers a short reason and logs the driver\'s detail', async () => {
    const port = await freePort(); // nothing listens there: the driver fails with host and port
    const pool = new pg.Pool({ connectionString: `postgres://u:p@127.0.0.1:${port}/db`, connectionTimeoutMillis: 2000 });
    const lines: string[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    const app = express().use(healthRouter({ pool, log } as never, () => true));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`);
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ status: 'unavailable', reason: 'database unavailable' });
      expect(text).not.toContain(String(port));
      expect(text).not.toContain('127.0.0.1');
      expect(lines.join('')).toContain(String(port));
    } finally {
      server.close();
      await pool.end();
    }
  });
});

describe('/metrics access is explicit (item 12)', () => {
  it('refuses an anonymous caller on loopback, and one behind a same-host proxy', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/api/v1/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(401);
  });

  it('opens to the metrics token and the API key', async () => {
    const res = await withKey(METRICS_TOKEN, '/metrics');
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/tripline_/);
    expect((await t.api('/metrics')).status).toBe(200);
    expect((await withKey('wrong-token-0123456789abcdef', '/metrics')).status).toBe(401);
  });

  it('opens to a signed-in admin and to an admin API key made by a person (issue 26 item 6), not to other roles or read keys', async () => {
    const admin = await userWithRole(t, 'admin');
    const bySession = await admin.session.call('/metrics', { csrf: false });
    expect(bySession.status).toBe(200);
    expect(await bySession.text()).toMatch(/tripline_/);
    expect((await admin.session.call('/api/v1/metrics', { csrf: false })).status).toBe(200);
    const made = await json(admin.session.call('/api/v1/api-keys', { method: 'POST', json: { name: 'grafana', scope: 'admin' } }));
    expect((await withKey(made.key as string, '/metrics')).status).toBe(200);
    const readKey = await json(admin.session.call('/api/v1/api-keys', { method: 'POST', json: { name: 'reader', scope: 'read' } }));
    expect((await withKey(readKey.key as string, '/metrics')).status).toBe(401);
    const editor = await userWithRole(t, 'editor');
    const refused = await editor.session.call('/metrics', { csrf: false });
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.message).not.toMatch(/TRIPLINE_/);
  });

  it('opens to the addresses in the metricsAllowList setting, matched on the client behind a loopback proxy', async () => {
    expect((await t.api('/api/v1/settings/metricsAllowList', { method: 'PUT', json: { value: ['127.0.0.0/8'] } })).status).toBe(200);
    expect((await fetch(`${t.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${t.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(401);
    expect((await t.api('/api/v1/settings/metricsAllowList', { method: 'PUT', json: { value: ['203.0.113.0/24'] } })).status).toBe(200);
    expect((await fetch(`${t.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(200);
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const bad = await t.api('/api/v1/settings/metricsAllowList', { method: 'PUT', json: { value: ['everyone'] } });
    expect(bad.status).toBe(422);
  });
});
