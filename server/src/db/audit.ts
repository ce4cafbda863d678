import type { AuditEntry, AuditQuery } from '@tripline/shared';
import type { Queryable } from './queryable.ts';

/** SQL of the audit log: append-only (the database refuses updates and deletes too). */

export interface NewAuditEntry {
  actor: string;
  actorId: string | null;
  ip: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  /** Already JSON, or null. */
  before: string | null;
  after: string | null;
}

export async function insertAuditEntry(db: Queryable, e: NewAuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log (actor, actor_id, ip, action, target_type, target_id, before, after)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [e.actor, e.actorId, e.ip, e.action, e.targetType, e.targetId, e.before, e.after],
  );
}

interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  actor_id: string | null;
  ip: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    actor: row.actor,
    actorId: row.actor_id,
    ip: row.ip,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    before: row.before,
    after: row.after,
  };
}

/**
 * Newest first, keyset-paginated on id: `cursor` is the last id of the previous page, so a
 * page costs the same at entry 10 or 10 million and new entries never shift the pages.
 * `actor` matches the label exactly or as a case-insensitive substring ("ana" finds ana@…).
 */
export async function queryAudit(db: Queryable, q: AuditQuery): Promise<{ data: AuditEntry[]; nextCursor: string | null }> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (q.actor) add(`actor ilike ? escape '\\'`, `%${q.actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (q.action) add(`action = ?`, q.action);
  if (q.targetType) add(`target_type = ?`, q.targetType);
  if (q.targetId) add(`target_id = ?`, q.targetId);
  if (q.since) add(`at >= ?`, q.since);
  if (q.until) add(`at < ?`, q.until);
  if (q.cursor) add(`id < ?`, Number(q.cursor));
  values.push(q.limit + 1);
  const { rows } = await db.query<AuditRow>(
    `select * from audit_log ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit $${values.length}`,
    values,
  );
  const page = rows.slice(0, q.limit).map(toEntry);
  return { data: page, nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
}

/** Every action the log holds, for the page's action picker (a scan, asked once per page view; the log is small next to events). */
export async function auditActions(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ action: string }>('select distinct action from audit_log order by action');
  return rows.map((r) => r.action);
}

/** How a person knows each kind of audit target, by id. */
const NAME_QUERIES: Record<string, string> = {
  workflow: 'select id, name from workflows where id = any($1)',
  endpoint: 'select id, coalesce(description, url) as name from endpoints where id = any($1)',
  campaign: 'select id, name from campaigns where id = any($1)',
  user: 'select id, email as name from users where id = any($1)',
  api_key: 'select id, name from api_keys where id = any($1)',
  inbox: 'select id, name from inboxes where id = any($1)',
};

export function hasTargetNames(targetType: string): boolean {
  return NAME_QUERIES[targetType] !== undefined;
}

/** Today's names of targets of one type, by id (a target deleted since is absent). */
export async function targetNames(db: Queryable, targetType: string, ids: string[]): Promise<Map<string, string>> {
  const sql = NAME_QUERIES[targetType];
  if (!sql) return new Map();
  const { rows } = await db.query<{ id: string; name: string }>(sql, [ids]);
  return new Map(rows.map((r) => [r.id, r.name]));
}
