import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, userWithRole } from '../accounts/support.ts';
import { json } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * Issue 23, item 3: an API key acts with the lesser of its scope and its owner's current role,
 * and the "also decide" items about people: a password reset revokes the person's keys, a
 * stranger's wrong passwords lock the account only from the stranger's address, and credential
 * hints show characters only to those who manage credentials.
 */

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

const withKey = (key: string, path: string, body?: unknown) =>
  fetch(t.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("an API key never does more than its owner's current role (issue 23, item 3)", () => {
  it("a demoted admin's admin-scoped key can no longer list users nor create an admin; the list says it is limited", async () => {
    const admin = await userWithRole(t, 'admin');
    const key = (await json(admin.session.call('/api/v1/api-keys', { method: 'POST', json: { name: 'ops-script', scope: 'admin' } }))).key as string;
    // Used once, so the process caches the key as admin: the demotion must clear that.
    expect((await withKey(key, '/api/v1/users')).status).toBe(200);

    expect((await t.api(`/api/v1/users/${admin.id}`, { method: 'PUT', json: { role: 'editor' } })).status).toBe(200);

    const users = await withKey(key, '/api/v1/users');
    expect(users.status).toBe(403);
    expect((await json(users)).error.message).toContain("limited by its owner's current role (editor)");
    const newAdmin = await withKey(key, '/api/v1/users', { email: `sneaky-${Date.now()}@test.local`, password: 'sneaky-password-1', role: 'admin' });
    expect(newAdmin.status).toBe(403);
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from users where email like 'sneaky-%'`);
    expect(rows[0].n).toBe(0);
    // What an editor may do, the key still does.
    expect((await withKey(key, '/api/v1/workflows')).status).toBe(200);
    const me = await json(withKey(key, '/api/v1/auth/me'));
    expect(me.permissions).toContain('workflows:write');
    expect(me.permissions).not.toContain('users:manage');

    const listed = (await json(t.api('/api/v1/api-keys'))).data.find((k: { name: string }) => k.name === 'ops-script');
    expect(listed).toMatchObject({ scope: 'admin', ownerRole: 'editor', limitedByOwnerRole: true });

    // Promoted again, the key is whole again: it was limited, not changed.
    expect((await t.api(`/api/v1/users/${admin.id}`, { method: 'PUT', json: { role: 'admin' } })).status).toBe(200);
    expect((await withKey(key, '/api/v1/users')).status).toBe(200);
    expect((await json(t.api('/api/v1/api-keys'))).data.find((k: { name: string }) => k.name === 'ops-script')).toMatchObject({ limitedByOwnerRole: false });
  });

  it("a read key of a person demoted to marketer does not read the audit log (the lesser of viewer and marketer)", async () => {
    const admin = await userWithRole(t, 'admin');
    const key = (await json(admin.session.call('/api/v1/api-keys', { method: 'POST', json: { name: 'reader', scope: 'read' } }))).key as string;
    expect((await withKey(key, '/api/v1/audit')).status).toBe(200);
    expect((await t.api(`/api/v1/users/${admin.id}`, { method: 'PUT', json: { role: 'marketer' } })).status).toBe(200);
    expect((await withKey(key, '/api/v1/audit')).status).toBe(403);
    expect((await withKey(key, '/api/v1/workflows')).status).toBe(200);
  });
});

describe('a password reset revokes the person\'s API keys (issue 23, decided)', () => {
  it('the key made before the reset stops at once, is listed as revoked, and the audit entry counts it', async () => {
    const admin = await userWithRole(t, 'admin');
    const key = (await json(admin.session.call('/api/v1/api-keys', { method: 'POST', json: { name: 'made-before-reset', scope: 'admin' } }))).key as string;
    expect((await withKey(key, '/api/v1/workflows')).status).toBe(200);
    expect((await t.api(`/api/v1/users/${admin.id}/reset-password`, { method: 'POST', json: { password: 'a-brand-new-password' } })).status).toBe(200);
    expect((await withKey(key, '/api/v1/workflows')).status).toBe(401);
    const listed = (await json(t.api('/api/v1/api-keys'))).data.find((k: { name: string }) => k.name === 'made-before-reset');
    expect(listed.revokedAt).not.toBeNull();
    const audit = await t.ctx.pool.query(`select after from audit_log where action = 'user.password_reset' and target_id = $1`, [admin.id]);
    expect(audit.rows[0].after).toMatchObject({ sessionsEnded: true, apiKeysRevoked: 1 });
  });
});

describe("a stranger's wrong passwords do not lock the owner out (issue 23, decided)", () => {
  const login = (email: string, password: string, address: string) =>
    fetch(`${t.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ email, password }) });

  it('locks the account from the guessing address only; the owner signs in from theirs', async () => {
    const { email, password } = await userWithRole(t, 'viewer');
    for (let i = 0; i < 5; i++) expect((await login(email, 'wrong-password-here', '203.0.113.9')).status).toBe(401);
    const attacker = await login(email, password, '203.0.113.9');
    expect(attacker.status).toBe(429);
    expect(Number(attacker.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login(email, password, '198.51.100.7')).status).toBe(200);
  });
});

describe('credential hints show characters only to those who manage credentials (issue 23, decided)', () => {
  it('editors see the last 4 characters of a long value; viewers see nothing of it; short values show nothing', async () => {
    expect((await t.api('/api/v1/credentials', { method: 'POST', json: { name: 'long_token', value: 'sk_live_0123456789abcdefWXYZ', allowedOrigins: ['https://api.example.com'] } })).status).toBe(201);
    expect((await t.api('/api/v1/credentials', { method: 'POST', json: { name: 'short_token', value: 'pin-98765', allowedOrigins: ['https://api.example.com'] } })).status).toBe(201);
    const editor = await userWithRole(t, 'editor');
    const viewer = await userWithRole(t, 'viewer');
    const hints = async (s: Awaited<ReturnType<typeof signIn>>) =>
      Object.fromEntries(((await json(s.call('/api/v1/credentials'))).data as { name: string; hint: string }[]).map((c) => [c.name, c.hint]));
    expect(await hints(editor.session)).toEqual({ long_token: '…WXYZ', short_token: '…' });
    expect(await hints(viewer.session)).toEqual({ long_token: '…', short_token: '…' });
  });
});
