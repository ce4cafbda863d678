import type { AuditEntry } from '@tripline/shared';
import type { Queryable } from '../db/queryable.ts';

/**
 * Names for audit targets, read at display time (the log itself keeps ids, append-only):
 * a person reads "Gold tier → VIP", not wf_8Kx…. A target deleted since keeps its id.
 */
const NAME_QUERIES: Record<string, string> = {
  workflow: 'select id, name from workflows where id = any($1)',
  endpoint: 'select id, coalesce(description, url) as name from endpoints where id = any($1)',
  campaign: 'select id, name from campaigns where id = any($1)',
  user: 'select id, email as name from users where id = any($1)',
  api_key: 'select id, name from api_keys where id = any($1)',
  inbox: 'select id, name from inboxes where id = any($1)',
};

export async function withTargetNames(db: Queryable, entries: AuditEntry[]): Promise<(AuditEntry & { targetName: string | null })[]> {
  const ids = new Map<string, Set<string>>();
  for (const e of entries) if (e.targetId && NAME_QUERIES[e.targetType]) ids.set(e.targetType, (ids.get(e.targetType) ?? new Set()).add(e.targetId));
  const names = new Map<string, string>();
  await Promise.all(
    [...ids].map(async ([type, set]) => {
      const { rows } = await db.query(NAME_QUERIES[type]!, [[...set]]);
      for (const r of rows as { id: string; name: string }[]) names.set(`${type}:${r.id}`, r.name);
    }),
  );
  return entries.map((e) => ({ ...e, targetName: e.targetId ? (names.get(`${e.targetType}:${e.targetId}`) ?? null) : null }));
}

/** Every action the log holds, for the page's action picker (a scan, asked once per page view; the log is small next to events). */
export async function auditActions(db: Queryable): Promise<string[]> {
  const { rows } = await db.query('select distinct action from audit_log order by action');
  return (rows as { action: string }[]).map((r) => r.action);
}
