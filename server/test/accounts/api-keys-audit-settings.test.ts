import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSetting } from '../../src/settings.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';
import { errorCode, userWithRole } from './support.ts';

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

const withKey = (key: string, path: string, init: RequestInit = {}) =>
  fetch(t.url + path, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers } });

interface AuditPage {
  data: { id: string; actor: string; action: string; targetType: string; targetId: string | null; ip: string | null; before: unknown; after: unknown }[];
  nextCursor: string | null;
}

describe('API keys', () => {
  it('shows a new key once, stores only its hash, and lists it with its last use', async () => {
    const res = await t.api('/api/v1/api-keys', { method: 'POST', json: { name: 'reporting', scope: 'read' } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; key: string; prefix: string };
    expect(created.key).toMatch(/^tl_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);

    const list = (await (await t.api('/api/v1/api-keys')).json()) as { data: Record<string, unknown>[] };
    const listed = list.data.find((k) => k.id === created.id)!;
    expect(listed).toMatchObject({ name: 'reporting', scope: 'read', lastUsedAt: null, revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(created.key);
    const { rows } = await t.ctx.pool.query(`select row_to_json(k)::text as row from api_keys k where id = $1`, [created.id]);
    expect(rows[0].row).not.toContain(created.key);

    expect((await withKey(created.key, '/api/v1/event-types')).status).toBe(200);
    const after = (await (await t.api('/api/v1/api-keys')).json()) as { data: { id: string; lastUsedAt: string | null }[] };
    expect(after.data.find((k) => k.id === created.id)!.lastUsedAt).not.toBeNull();
  });

  it('maps scopes to roles: read keys read but cannot write, ingest keys only ingest, admin keys do everything', async () => {
    const make = async (scope: string) =>
      ((await (await t.api('/api/v1/api-keys', { method: 'POST', json: { name: scope, scope } })).json()) as { key: string }).key;
    const read = await make('read');
    const ingest = await make('ingest');
    const admin = await make('admin');
    expect((await withKey(read, '/api/v1/settings')).status).toBe(200);
    const readWrite = await withKey(read, '/api/v1/settings/retentionDays', { method: 'PUT', body: JSON.stringify({ value: 10 }) });
    expect(readWrite.status).toBe(403);
    expect((await withKey(ingest, '/api/v1/event-types')).status).toBe(403);
    const me = (await (await withKey(ingest, '/api/v1/auth/me')).json()) as { permissions: string[]; csrfToken: null };
    expect(me.permissions).toEqual(['events:ingest']);
    expect(me.csrfToken).toBeNull();
    expect((await withKey(admin, '/api/v1/users')).status).toBe(200);
  });

  it('revokes a key: it stops working at once, and the revocation is audited', async () => {
    const created = (await (await t.api('/api/v1/api-keys', { method: 'POST', json: { name: 'to revoke', scope: 'admin' } })).json()) as { id: string; key: string };
    expect((await withKey(created.key, '/api/v1/users')).status).toBe(200);
    expect((await t.api(`/api/v1/api-keys/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await withKey(created.key, '/api/v1/users')).status).toBe(401);
    const audit = (await (await t.api(`/api/v1/audit?targetType=api_key&targetId=${created.id}`)).json()) as AuditPage;
    expect(audit.data.map((e) => e.action)).toEqual(['apikey.revoked', 'apikey.created']);
    expect(audit.data[0]).toMatchObject({ before: { revoked: false }, after: { revoked: true } });
  });

  it('revokes an ingest key in use: the very next event it sends is refused 401 and not stored', async () => {
    const created = (await (await t.api('/api/v1/api-keys', { method: 'POST', json: { name: 'store sync', scope: 'ingest' } })).json()) as { id: string; key: string };
    const send = (id: string) => withKey(created.key, '/api/v1/events', { method: 'POST', body: JSON.stringify({ id, type: 'customer.created', data: { customerId: 'c-revoke' } }) });
    for (const id of ['evt_revoke_1', 'evt_revoke_2']) expect((await send(id)).status).toBe(202);
    expect((await t.api(`/api/v1/api-keys/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    const refused = await send('evt_revoke_3');
    expect(refused.status).toBe(401);
    expect(await errorCode(refused)).toBe('unauthenticated');
    const { rows } = await t.ctx.pool.query(`select id from events where id like 'evt_revoke_%' order by id`);
    expect(rows.map((r) => r.id)).toEqual(['evt_revoke_1', 'evt_revoke_2']);
  });

  it('refuses an unknown scope with the allowed ones named', async () => {
    const res = await t.api('/api/v1/api-keys', { method: 'POST', json: { name: 'x', scope: 'root' } });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe('scope');
  });
});

describe('users', () => {
  it('creates, changes the role of, and deletes a user, each audited with before and after, never with a password', async () => {
    const res = await t.api('/api/v1/users', { method: 'POST', json: { email: 'Ana@Example.com', password: 'ana-password-123', role: 'editor' } });
    expect(res.status).toBe(201);
    const user = (await res.json()) as { id: string; email: string };
    expect(user.email).toBe('ana@example.com');
    expect(JSON.stringify(user)).not.toMatch(/password|hash/i);
    const dup = await t.api('/api/v1/users', { method: 'POST', json: { email: 'ana@example.com', password: 'ana-password-123', role: 'viewer' } });
    expect(dup.status).toBe(409);
    expect((await t.api(`/api/v1/users/${user.id}`, { method: 'PUT', json: { role: 'marketer' } })).status).toBe(200);
    expect((await t.api(`/api/v1/users/${user.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await t.api(`/api/v1/users/${user.id}`)).status).toBe(404);

    const audit = (await (await t.api(`/api/v1/audit?targetType=user&targetId=${user.id}`)).json()) as AuditPage;
    expect(audit.data.map((e) => e.action)).toEqual(['user.deleted', 'user.updated', 'user.created']);
    expect(audit.data[1]).toMatchObject({ actor: 'api-key:TRIPLINE_API_KEY', before: { role: 'editor' }, after: { role: 'marketer' } });
    expect(audit.data[1]!.ip).toBeTruthy();
    expect(JSON.stringify(audit)).not.toContain('ana-password-123');
    expect(JSON.stringify(audit)).not.toContain('scrypt$');
  });

  it('refuses a short password and a bad email with the field named', async () => {
    const res = await t.api('/api/v1/users', { method: 'POST', json: { email: 'not-an-email', password: 'short', role: 'viewer' } });
    expect(res.status).toBe(422);
    const paths = ((await res.json()) as { error: { details: { path: string }[] } }).error.details.map((d) => d.path).sort();
    expect(paths).toEqual(['email', 'password']);
  });

  it('never lets the last enabled admin be demoted, disabled or deleted', async () => {
    const admins = ((await (await t.api('/api/v1/users')).json()) as { data: { id: string; role: string; disabled: boolean }[] }).data.filter(
      (u) => u.role === 'admin' && !u.disabled,
    );
    expect(admins).toHaveLength(1);
    const id = admins[0]!.id;
    expect((await t.api(`/api/v1/users/${id}`, { method: 'PUT', json: { role: 'viewer' } })).status).toBe(409);
    expect((await t.api(`/api/v1/users/${id}`, { method: 'PUT', json: { disabled: true } })).status).toBe(409);
    expect((await t.api(`/api/v1/users/${id}`, { method: 'DELETE' })).status).toBe(409);
  });

  it('applies a role change on the very next request of a signed-in user', async () => {
    const u = await userWithRole(t, 'viewer');
    expect((await u.session.call('/api/v1/users')).status).toBe(403);
    await t.api(`/api/v1/users/${u.id}`, { method: 'PUT', json: { role: 'admin' } });
    expect((await u.session.call('/api/v1/users')).status).toBe(200);
  });
});

describe('settings', () => {
  it('answers every setting with its default until an admin changes it', async () => {
    const body = (await (await t.api('/api/v1/settings')).json()) as { data: Record<string, unknown> };
    expect(body.data).toMatchObject({
      ltvTiers: [
        { name: 'bronze', min: 0 },
        { name: 'silver', min: 200 },
        { name: 'gold', min: 500 },
        { name: 'platinum', min: 2000 },
      ],
      lifecycle: { atRiskDays: 60, lapsedDays: 120, loyalOrders: 5, repeatOrders: 2 },
      cartAbandonMinutes: 60,
      retentionDays: 30,
      maxChainDepth: 5,
    });
  });

  it('validates a change per key, saves it, audits before and after, and getSetting reads it', async () => {
    const bad = await t.api('/api/v1/settings/cartAbandonMinutes', { method: 'PUT', json: { value: -5 } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe('value');
    expect((await t.api('/api/v1/settings/nope', { method: 'PUT', json: { value: 1 } })).status).toBe(404);
    expect(await errorCode(await t.api('/api/v1/settings/maxChainDepth', { method: 'PUT', json: {} }))).toBe('validation_failed');

    const ok = await t.api('/api/v1/settings/cartAbandonMinutes', { method: 'PUT', json: { value: 45 } });
    expect(ok.status).toBe(200);
    expect(await getSetting(t.ctx.pool, 'cartAbandonMinutes')).toBe(45);
    const audit = (await (await t.api('/api/v1/audit?targetType=setting&targetId=cartAbandonMinutes')).json()) as AuditPage;
    expect(audit.data[0]).toMatchObject({ action: 'setting.updated', before: 60, after: 45 });
  });

  it('lets viewers read settings but not change them', async () => {
    const u = await userWithRole(t, 'viewer');
    expect((await u.session.call('/api/v1/settings')).status).toBe(200);
    const res = await u.session.call('/api/v1/settings/retentionDays', { method: 'PUT', json: { value: 7 } });
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe('forbidden');
  });
});

describe('audit log', () => {
  it('filters by actor, action, target and time, and pages with a keyset cursor without gaps or repeats', async () => {
    for (let i = 0; i < 7; i++) await t.api(`/api/v1/settings/retentionDays`, { method: 'PUT', json: { value: 20 + i } });
    const all = (await (await t.api('/api/v1/audit?action=setting.updated&targetId=retentionDays&limit=50')).json()) as AuditPage;
    expect(all.data.length).toBeGreaterThanOrEqual(7);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await t.api(`/api/v1/audit?action=setting.updated&targetId=retentionDays&limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json()) as AuditPage;
      seen.push(...page.data.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.data.map((e) => e.id));
    expect(all.data[0]!.after).toBe(26);

    const byActor = (await (await t.api('/api/v1/audit?actor=TRIPLINE_API')).json()) as AuditPage;
    expect(byActor.data.length).toBeGreaterThan(0);
    expect(byActor.data.every((e) => e.actor === 'api-key:TRIPLINE_API_KEY')).toBe(true);
    const future = (await (await t.api(`/api/v1/audit?since=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`)).json()) as AuditPage;
    expect(future.data).toEqual([]);
    const past = (await (await t.api(`/api/v1/audit?until=2000-01-01T00:00:00Z`)).json()) as AuditPage;
    expect(past.data).toEqual([]);
  });

  it('records sign-ins, failed ones included', async () => {
    const u = await userWithRole(t, 'marketer');
    await fetch(`${t.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: u.email, password: 'wrong-wrong-wrong' }) });
    const audit = (await (await t.api(`/api/v1/audit?targetId=${u.id}`)).json()) as AuditPage;
    const actions = audit.data.map((e) => e.action);
    expect(actions).toContain('auth.login');
    expect(actions).toContain('auth.login_failed');
    expect(audit.data.find((e) => e.action === 'auth.login_failed')!.after).toMatchObject({ reason: 'wrong password' });
  });

  it('exports CSV with the same filters, neutralising spreadsheet formulas', async () => {
    await t.api('/api/v1/api-keys', { method: 'POST', json: { name: '=HYPERLINK("http://evil")', scope: 'read' } });
    const res = await t.api('/api/v1/audit.csv?action=apikey.created');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="tripline-audit-/);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('id,at,actor,actorId,ip,action,targetType,targetId,before,after');
    expect(lines.slice(1).every((l) => l.includes(',apikey.created,'))).toBe(true);
    const evil = lines.find((l) => l.includes('HYPERLINK'))!;
    expect(evil).not.toMatch(/,=HYPERLINK|,"=HYPERLINK/);
  });

  it('lets viewers read and export the audit log, and nobody change it: no route, and the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    const u = await userWithRole(t, 'viewer');
    expect((await u.session.call('/api/v1/audit')).status).toBe(200);
    expect((await u.session.call('/api/v1/audit.csv')).status).toBe(200);
    expect((await t.api('/api/v1/audit/1', { method: 'DELETE' })).status).toBe(404);
    expect((await t.api('/api/v1/audit', { method: 'DELETE' })).status).toBe(404);

    const client = new pg.Client(t.databaseUrl);
    await client.connect();
    try {
      const { rows } = await client.query(`select count(*)::int as n from audit_log`);
      await expect(client.query(`update audit_log set actor = 'someone else'`)).rejects.toThrow(/append-only/);
      await expect(client.query(`delete from audit_log`)).rejects.toThrow(/append-only/);
      await expect(client.query(`truncate audit_log`)).rejects.toThrow(/append-only/);
      const again = await client.query(`select count(*)::int as n from audit_log where actor = 'someone else'`);
      expect(again.rows[0].n).toBe(0);
      expect((await client.query(`select count(*)::int as n from audit_log`)).rows[0].n).toBe(rows[0].n);
    } finally {
      await client.end();
    }
  });
});
