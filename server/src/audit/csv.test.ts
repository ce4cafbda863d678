import { auditChanges } from '@tripline/shared';
import { describe, expect, it } from 'vitest';
import { csvLine } from './csv.ts';

const entry = (over: Record<string, unknown>) => ({
  id: '1',
  at: '2026-01-01T00:00:00.000Z',
  actor: 'ana@example.com',
  actorId: null,
  ip: null,
  action: 'user.created',
  targetType: 'user',
  targetId: 'usr_1',
  before: null,
  after: null,
  ...over,
});

describe('audit CSV', () => {
  it('quotes commas, quotes and line breaks, and writes JSON for before/after', () => {
    const line = csvLine(entry({ actor: 'a, "b"', after: { role: 'viewer' } }));
    expect(line).toBe('1,2026-01-01T00:00:00.000Z,"a, ""b""",,,user.created,user,usr_1,,"{""role"":""viewer""}"\r\n');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    for (const evil of ['=1+1', '+1', '-1', '@SUM(A1)']) expect(csvLine(entry({ actor: evil }))).toContain(`,'${evil},`);
  });
});

describe('audit changes', () => {
  it('lists the fields that changed, with before and after', () => {
    expect(auditChanges({ role: 'editor', disabled: false }, { role: 'admin', disabled: false })).toEqual([{ path: 'role', before: 'editor', after: 'admin' }]);
    expect(auditChanges(null, { role: 'viewer' })).toEqual([{ path: 'role', before: null, after: 'viewer' }]);
    expect(auditChanges(60, 45)).toEqual([{ path: '', before: 60, after: 45 }]);
    expect(auditChanges(null, null)).toEqual([]);
  });
});
