import { can, permissionsOf, rolePermissions, scopeRole } from '@tripline/shared';
import { describe, expect, it } from 'vitest';
import { parseCookies } from './middleware.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { csrfTokenFor } from './sessions.ts';

describe('passwords (scrypt)', () => {
  it('hashes with a per-user salt and the parameters in the stored value, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$15\$8\$3\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    // Five scrypt derivations at the production cost: seconds on a busy shared machine.
  }, 30_000);

  it('refuses malformed stored values instead of throwing', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$15$8$1$')).toBe(false);
  });
});

describe('CSRF tokens', () => {
  it('are derived from the session token: stable for a session, different across sessions', () => {
    const s1 = 'a'.repeat(43);
    const s2 = 'b'.repeat(43);
    expect(csrfTokenFor(s1)).toBe(csrfTokenFor(s1));
    expect(csrfTokenFor(s1)).not.toBe(csrfTokenFor(s2));
    expect(csrfTokenFor(s1)).not.toContain(s1);
  });
});

describe('cookies', () => {
  it('parses cookies and skips a malformed one instead of failing the request', () => {
    expect(parseCookies('a=1; tripline_session=abc; bad=%E0%A4%A')).toEqual({ a: '1', tripline_session: 'abc' });
    expect(parseCookies(undefined)).toEqual({});
  });
});

describe('roles', () => {
  it('gives admins everything, viewers reads and the audit log only, ingest keys only ingestion', () => {
    expect(permissionsOf('admin').length).toBe(rolePermissions.admin.size);
    expect(permissionsOf('viewer').every((p) => p.endsWith(':read'))).toBe(true);
    expect(can('viewer', 'audit:read')).toBe(true);
    expect(can('marketer', 'campaigns:write')).toBe(true);
    expect(can('marketer', 'workflows:write')).toBe(true);
    expect(can('marketer', 'endpoints:write')).toBe(false);
    expect(can('editor', 'users:manage')).toBe(false);
    expect(permissionsOf(scopeRole.ingest)).toEqual(['events:ingest']);
    expect(scopeRole.read).toBe('viewer');
  });
});
