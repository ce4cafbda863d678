import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTripline, TEST_ADMIN, type TestTripline } from '../support/tripline.ts';
import { errorCode, signIn, userWithRole } from './support.ts';

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

const login = (email: string, password: string) =>
  fetch(`${t.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });

describe('sign-in and sessions', () => {
  it('signs the first admin in with an HttpOnly, SameSite=Lax session cookie and answers the CSRF token', async () => {
    const res = await login(TEST_ADMIN.email, TEST_ADMIN.password);
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^tripline_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // plain HTTP on loopback
    const body = (await res.json()) as { user: { email: string; role: string }; permissions: string[]; csrfToken: string };
    expect(body.user).toMatchObject({ email: TEST_ADMIN.email, role: 'admin' });
    expect(body.permissions).toContain('users:manage');
    expect(body.csrfToken.length).toBeGreaterThan(20);
  });

  it('marks the cookie Secure when the request came over HTTPS through a local proxy', async () => {
    const res = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify(TEST_ADMIN),
    });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/i);
  });

  it('answers /auth/me for the session and 401 without one', async () => {
    const s = await signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
    const me = await s.call('/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ kind: 'user', user: { email: TEST_ADMIN.email }, csrfToken: s.csrfToken });
    expect((await fetch(`${t.url}/api/v1/auth/me`)).status).toBe(401);
    expect((await fetch(`${t.url}/api/v1/auth/me`, { headers: { cookie: 'tripline_session=' + 'x'.repeat(43) } })).status).toBe(401);
  });

  it('refuses a wrong password and an unknown email alike, with 401 invalid_credentials', async () => {
    const wrong = await login(TEST_ADMIN.email, 'not the password');
    const unknown = await login('nobody@test.local', 'whatever-password');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await errorCode(wrong)).toBe('invalid_credentials');
    expect(await errorCode(unknown)).toBe('invalid_credentials');
  });

  it('locks an email after 5 failed sign-ins in 15 minutes: 429 with Retry-After, even with the right password', async () => {
    const { email, password } = await userWithRole(t, 'viewer');
    const results = await Promise.all(Array.from({ length: 7 }, () => login(email, 'wrong-password-here')));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    const locked = await login(email, password);
    expect(locked.status).toBe(429);
    expect(await errorCode(locked)).toBe('too_many_attempts');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // The lock lives in the database, so every API process sees it.
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from login_attempts where email = $1 and not succeeded`, [email]);
    expect(rows[0].n).toBe(5);
  });

  it('signs out: the cookie is cleared and the session no longer works', async () => {
    const s = await signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
    const out = await s.call('/api/v1/auth/logout', { method: 'POST' });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/tripline_session=;.*Expires=Thu, 01 Jan 1970/i);
    expect((await s.call('/api/v1/auth/me')).status).toBe(401);
  });

  it('stores only the hash of the session token', async () => {
    const s = await signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
    const token = s.cookie.split('=')[1]!;
    const { rows } = await t.ctx.pool.query(`select count(*)::int as n from sessions where token_hash = $1 or id = $1`, [token]);
    expect(rows[0].n).toBe(0);
  });

  it('ends a session idle for more than 12 hours, and one older than 7 days', async () => {
    const idle = await signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
    const old = await signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
    const me = async (s: typeof idle) => ((await s.call('/api/v1/auth/me')).json() as Promise<{ user: unknown }>);
    const idleId = await sessionId(idle.cookie);
    const oldId = await sessionId(old.cookie);
    await t.ctx.pool.query(`update sessions set last_seen_at = now() - interval '13 hours' where id = $1`, [idleId]);
    await t.ctx.pool.query(`update sessions set expires_at = now() - interval '1 second' where id = $1`, [oldId]);
    expect((await idle.call('/api/v1/auth/me')).status).toBe(401);
    expect((await old.call('/api/v1/auth/me')).status).toBe(401);
    const fresh = await signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
    expect(await me(fresh)).toMatchObject({ user: { email: TEST_ADMIN.email } });
  });

  it('changes the own password with the current one, and signs out the other sessions', async () => {
    const u = await userWithRole(t, 'marketer');
    const other = await signIn(t, u.email, u.password);
    const wrong = await u.session.call('/api/v1/auth/password', { method: 'POST', json: { currentPassword: 'nope-nope-nope', newPassword: 'a-new-password-1' } });
    expect(wrong.status).toBe(422);
    const ok = await u.session.call('/api/v1/auth/password', { method: 'POST', json: { currentPassword: u.password, newPassword: 'a-new-password-1' } });
    expect(ok.status).toBe(204);
    expect((await u.session.call('/api/v1/auth/me')).status).toBe(200);
    expect((await other.call('/api/v1/auth/me')).status).toBe(401);
    expect((await login(u.email, u.password)).status).toBe(401);
    expect((await login(u.email, 'a-new-password-1')).status).toBe(200);
    const audit = (await (await t.api(`/api/v1/audit?action=user.password_changed&targetId=${u.id}`)).json()) as { data: unknown[] };
    expect(audit.data).toHaveLength(1);
  });

  it('counts wrong current passwords on a password change as failed sign-ins, so a stolen session cannot guess it', async () => {
    const u = await userWithRole(t, 'viewer');
    const change = () => u.session.call('/api/v1/auth/password', { method: 'POST', json: { currentPassword: 'guess-guess-guess', newPassword: 'a-new-password-1' } });
    for (let i = 0; i < 5; i++) expect((await change()).status).toBe(422);
    const locked = await change();
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('signs a disabled user out at once and refuses their sign-in, telling them (with the right password) that the account is disabled and whom to ask', async () => {
    const u = await userWithRole(t, 'editor');
    expect((await t.api(`/api/v1/users/${u.id}`, { method: 'PUT', json: { disabled: true } })).status).toBe(200);
    expect((await u.session.call('/api/v1/auth/me')).status).toBe(401);
    const refused = await login(u.email, u.password);
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('account_disabled');
    expect(body.error.message).toBe(`this account is disabled; ask an admin (${TEST_ADMIN.email}) to enable it`);
    // a wrong password learns nothing about the account
    const guess = await login(u.email, 'not-the-password-1');
    expect(guess.status).toBe(401);
    expect(await errorCode(guess)).toBe('invalid_credentials');
  });

  it('lets an admin reset a forgotten password: the old one and its sessions stop working, the new one signs in, the audit says so', async () => {
    const u = await userWithRole(t, 'marketer');
    const tooShort = await t.api(`/api/v1/users/${u.id}/reset-password`, { method: 'POST', json: { password: 'short' } });
    expect(tooShort.status).toBe(422);
    const res = await t.api(`/api/v1/users/${u.id}/reset-password`, { method: 'POST', json: { password: 'a-brand-new-password' } });
    expect(res.status).toBe(200);
    expect((await u.session.call('/api/v1/auth/me')).status).toBe(401);
    expect((await login(u.email, u.password)).status).toBe(401);
    expect((await login(u.email, 'a-brand-new-password')).status).toBe(200);
    const audit = await t.ctx.pool.query(`select before, after from audit_log where action = 'user.password_reset' and target_id = $1`, [u.id]);
    expect(audit.rows).toHaveLength(1);
    expect(JSON.stringify(audit.rows[0])).not.toContain('a-brand-new-password');
  });

  it('refuses a password reset to a non-admin with 403', async () => {
    const editor = await userWithRole(t, 'editor');
    const res = await editor.session.call(`/api/v1/users/${editor.id}/reset-password`, { method: 'POST', json: { password: 'a-brand-new-password' } });
    expect(res.status).toBe(403);
  });
});

describe('CSRF', () => {
  it('refuses a cookie-authenticated write without the X-CSRF-Token header (403 csrf_failed), or with a wrong one', async () => {
    const s = await signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
    const body = { email: 'csrf@test.local', password: 'password-123456', role: 'viewer' };
    const without = await s.call('/api/v1/users', { method: 'POST', json: body, csrf: false });
    expect(without.status).toBe(403);
    expect(await errorCode(without)).toBe('csrf_failed');
    const wrong = await s.call('/api/v1/users', { method: 'POST', json: body, csrf: false, headers: { 'x-csrf-token': 'x'.repeat(43) } });
    expect(await errorCode(wrong)).toBe('csrf_failed');
    const otherSession = await signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
    const foreign = await s.call('/api/v1/users', { method: 'POST', json: body, csrf: false, headers: { 'x-csrf-token': otherSession.csrfToken } });
    expect(await errorCode(foreign)).toBe('csrf_failed');
    const ok = await s.call('/api/v1/users', { method: 'POST', json: body });
    expect(ok.status).toBe(201);
  });

  it('does not ask API-key callers for a token, and lets cookie reads through without one', async () => {
    const res = await t.api('/api/v1/settings/retentionDays', { method: 'PUT', json: { value: 14 } });
    expect(res.status).toBe(200);
    const s = await signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
    expect((await s.call('/api/v1/users', { csrf: false })).status).toBe(200);
  });
});

async function sessionId(cookie: string): Promise<string> {
  const { sha256 } = await import('../../src/auth/tokens.ts');
  const { rows } = await t.ctx.pool.query(`select id from sessions where token_hash = $1`, [sha256(cookie.split('=')[1]!)]);
  return rows[0].id;
}
