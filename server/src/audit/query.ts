import type { AuditEntry, AuditQuery } from '@tripline/shared';
import type { Queryable } from '../db/queryable.ts';

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
  const { rows } = await db.query(
    `select * from audit_log ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit $${values.length}`,
    values,
  );
  const page = (rows as AuditRow[]).slice(0, q.limit).map(toEntry);
  return { data: page, nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
}

const CSV_COLUMNS = ['id', 'at', 'actor', 'actorId', 'ip', 'action', 'targetType', 'targetId', 'before', 'after'] as const;

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

/** One RFC 4180 line; cells a spreadsheet would run as a formula (=, +, -, @ …) are prefixed with '. */
export function csvLine(entry: AuditEntry): string {
  return (
    CSV_COLUMNS.map((c) => {
      const v = entry[c];
      let text = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
      if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    }).join(',') + '\r\n'
  );
}
