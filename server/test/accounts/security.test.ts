import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFirstAdmin } from '../../src/accounts/seed.ts';
import { cloneDatabase } from '../support/database.ts';
import { startTestTripline, TEST_ADMIN, TEST_API_KEY, type TestTripline } from '../support/tripline.ts';
import { errorCode, signIn, userWithRole } from './support.ts';

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

describe('HTTP hardening', () => {
  it('sends the security headers on the UI and on the API, and no X-Powered-By', async () => {
    for (const url of [`${t.url}/`, `${t.url}/api/v1/event-types`]) {
      const res = await fetch(url);
      await res.arrayBuffer();
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self'/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('answers 413 to a JSON body over 1 MB', async () => {
    const res = await t.api('/api/v1/users', { method: 'POST', json: { email: 'big@test.local', password: 'x'.repeat(1_100_000), role: 'viewer' } });
    expect(res.status).toBe(413);
    expect(await errorCode(res)).toBe('payload_too_large');
  });

  it('answers 415 to a write whose body is not JSON', async () => {
    const res = await t.api('/api/v1/users', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'email=a@b.c' });
    expect(res.status).toBe(415);
    const form = await t.api('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a&password=b' });
    expect(form.status).toBe(415);
  });
});

describe('secrets at rest', () => {
  it('leaves no password, session token, API key or endpoint/source secret in clear anywhere in a dump of the database', async () => {
    const secrets: Record<string, string> = { adminPassword: TEST_ADMIN.password };
    const u = await userWithRole(t, 'editor');
    secrets.userPassword = u.password;
    secrets.sessionToken = u.session.cookie.split('=')[1]!;
    secrets.csrfToken = u.session.csrfToken;
    const key = (await (await t.api('/api/v1/api-keys', { method: 'POST', json: { name: 'dump', scope: 'ingest' } })).json()) as { key: string };
    secrets.apiKey = key.key;
    // A secret kept with the cipher every feature uses, whether or not its routes exist yet.
    secrets.cipherSecret = 'plain-secret-' + Math.random().toString(36).slice(2);
    await t.ctx.pool.query(`insert into sources (id, kind, name, secret_enc) values ('src_dump', 'woocommerce', 'dump', $1)`, [t.ctx.secrets.encrypt(secrets.cipherSecret)]);
    expect(t.ctx.secrets.decrypt((await t.ctx.pool.query(`select secret_enc from sources where id = 'src_dump'`)).rows[0].secret_enc)).toBe(secrets.cipherSecret);

    // Through the real APIs when they are mounted: endpoint signing secret, OAuth client secret, source secret.
    const clientSecret = 'oauth-client-secret-' + Math.random().toString(36).slice(2);
    const endpoint = await t.api('/api/v1/endpoints', {
      method: 'POST',
      json: { url: 'http://127.0.0.1:9/hook', eventTypes: ['order.created'], auth: { kind: 'oauth2', tokenUrl: 'http://127.0.0.1:9/token', clientId: 'tripline', clientSecret } },
    });
    if (endpoint.status === 201) {
      secrets.endpointSecret = ((await endpoint.json()) as { secret: string }).secret;
      secrets.oauthClientSecret = clientSecret;
    } else expect(endpoint.status).toBe(404);
    const source = await t.api('/api/v1/sources', { method: 'POST', json: { kind: 'woocommerce', name: 'shop' } });
    if (source.status === 201) secrets.sourceSecret = ((await source.json()) as { secret: string }).secret;
    else expect(source.status).toBe(404);

    const { rows: tables } = await t.ctx.pool.query<{ schema: string; name: string }>(
      `select table_schema as schema, table_name as name from information_schema.tables
        where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
    );
    expect(tables.map((x) => x.name)).toEqual(expect.arrayContaining(['users', 'sessions', 'api_keys', 'sources', 'audit_log', 'settings']));
    let dump = '';
    for (const table of tables) {
      const { rows } = await t.ctx.pool.query(`select row_to_json(t)::text as row from "${table.schema}"."${table.name}" t`);
      dump += rows.map((r) => r.row).join('\n') + '\n';
    }
    expect(dump.length).toBeGreaterThan(1000);
    const found = Object.entries(secrets).filter(([, value]) => dump.includes(value)).map(([name]) => name);
    expect(found).toEqual([]);
  });
});

describe('first start', () => {
  it('creates exactly one admin when two processes seed at once, with a generated password kept in a mode-600 file', async () => {
    await t.ctx.pool.query(`delete from users`);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tripline-seed-'));
    try {
      const ctx = { ...t.ctx, config: { ...t.ctx.config, adminPassword: undefined, adminEmail: 'first@test.local', dataDir } };
      await Promise.all([seedFirstAdmin(ctx), seedFirstAdmin(ctx), seedFirstAdmin(ctx)]);
      const { rows } = await t.ctx.pool.query(`select email, role from users`);
      expect(rows).toEqual([{ email: 'first@test.local', role: 'admin' }]);
      const file = path.join(dataDir, 'admin-password.txt');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const [email, password] = fs.readFileSync(file, 'utf8').trim().split('\n');
      expect(email).toBe('first@test.local');
      const s = await signIn(t, email!, password!);
      expect((await s.call('/api/v1/users')).status).toBe(200);
      // Once someone exists, starting again changes nothing.
      await seedFirstAdmin(ctx);
      expect((await t.ctx.pool.query(`select count(*)::int as n from users`)).rows[0].n).toBe(1);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('logs', () => {
  it('never print the Authorization header, cookies, passwords or CSRF tokens of a real process', { timeout: 120_000 }, async () => {
    const db = await cloneDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tripline-logs-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: path.resolve(import.meta.dirname, '../../..'),
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: db.url,
        PORT: '0',
        HOST: '127.0.0.1',
        TRIPLINE_DATA_DIR: dataDir,
        TRIPLINE_ADMIN_EMAIL: 'logs@test.local',
        TRIPLINE_API_KEY: TEST_API_KEY,
        TRIPLINE_SECRET_KEY: 'b'.repeat(64),
        TRIPLINE_DEMO_DATA: '0',
        TRIPLINE_LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /running at (http:\/\/\S+)/.exec(output);
          if (m) {
            clearInterval(timer);
            resolve(m[1]!);
          }
          if (child.exitCode !== null) {
            clearInterval(timer);
            reject(new Error(`Tripline exited: ${output}`));
          }
        }, 100);
      });
      const [, password] = fs.readFileSync(path.join(dataDir, 'admin-password.txt'), 'utf8').trim().split('\n');
      const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'logs@test.local', password }) });
      expect(login.status).toBe(200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      await (await fetch(`${url}/api/v1/auth/me`, { headers: { cookie } })).arrayBuffer();
      await (await fetch(`${url}/api/v1/users`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' }, body: '{}' })).arrayBuffer();
      await (await fetch(`${url}/api/v1/nope`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } })).arrayBuffer();
      await (await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'logs@test.local', password: 'guess-guess-guess' }) })).arrayBuffer();
      child.kill('SIGTERM');
      await exited;

      expect(output).toContain('/api/v1/auth/me'); // the requests were logged…
      expect(output).toContain('[redacted]'); // …with their secrets replaced
      for (const secret of [password!, cookie.split('=')[1]!, csrfToken, TEST_API_KEY, 'guess-guess-guess']) expect(output).not.toContain(secret);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
      await db.drop();
    }
  });
});
