import type { Notification } from '@tripline/shared';
import type { Queryable } from './queryable.ts';

/**
 * SQL of the notifications tables (emails and Slack messages) and of the SMTP settings row.
 * The durable sending around them is server/src/notify/.
 */

export interface NotificationRow {
  id: string;
  kind: 'email' | 'slack';
  origin: 'step' | 'alert' | 'test';
  idempotency_key: string;
  run_id: string | null;
  node_id: string | null;
  iteration: number;
  workflow_id: string | null;
  message: Record<string, unknown>;
  message_id: string | null;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempt_count: number;
  max_attempts: number;
  last_response: string | null;
  last_error: string | null;
  created_at: Date;
  settled_at: Date | null;
}

export interface NewNotification {
  id: string;
  kind: NotificationRow['kind'];
  origin: NotificationRow['origin'];
  idempotencyKey: string;
  runId: string | null;
  nodeId: string | null;
  iteration: number;
  workflowId: string | null;
  message: Record<string, unknown>;
  messageId: string | null;
  maxAttempts: number;
}

/**
 * Inserts a notification unless one with the same idempotency key exists; answers the row
 * either way and whether it is new. A failed one asked for again (a retried run) goes back
 * to pending with a fresh set of attempts: `reopened`.
 */
export async function upsertNotification(db: Queryable, n: NewNotification): Promise<{ row: NotificationRow; created: boolean; reopened: boolean }> {
  const inserted = await db.query<NotificationRow>(
    `insert into notifications (id, kind, origin, idempotency_key, run_id, node_id, iteration, workflow_id, message, message_id, max_attempts)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     on conflict (idempotency_key) do nothing
     returning *`,
    [n.id, n.kind, n.origin, n.idempotencyKey, n.runId, n.nodeId, n.iteration, n.workflowId, JSON.stringify(n.message), n.messageId, n.maxAttempts],
  );
  if (inserted.rows[0]) return { row: inserted.rows[0], created: true, reopened: false };
  const reopened = await db.query<NotificationRow>(
    `update notifications set status = 'pending', attempt_count = 0, last_error = null, settled_at = null, message = $2
     where idempotency_key = $1 and status = 'failed' returning *`,
    [n.idempotencyKey, JSON.stringify(n.message)],
  );
  if (reopened.rows[0]) return { row: reopened.rows[0], created: false, reopened: true };
  const { rows } = await db.query<NotificationRow>('select * from notifications where idempotency_key = $1', [n.idempotencyKey]);
  return { row: rows[0]!, created: false, reopened: false };
}

export async function findNotification(db: Queryable, id: string): Promise<NotificationRow | undefined> {
  const { rows } = await db.query<NotificationRow>('select * from notifications where id = $1', [id]);
  return rows[0];
}

export async function lockNotification(db: Queryable, id: string): Promise<NotificationRow | undefined> {
  const { rows } = await db.query<NotificationRow>('select * from notifications where id = $1 for update', [id]);
  return rows[0];
}

/** Attempts started in the last minute: overall, and for one workflow (the send-rate limits). */
export async function recentAttempts(db: Queryable, workflowId: string | null): Promise<{ all: number; workflow: number }> {
  const { rows } = await db.query<{ all: number; workflow: number }>(
    `select count(*)::int as all,
            count(*) filter (where workflow_id = $1)::int as workflow
     from notifications where last_attempt_at > now() - interval '1 minute'`,
    [workflowId],
  );
  return rows[0]!;
}

export async function markSending(db: Queryable, id: string): Promise<NotificationRow> {
  const { rows } = await db.query<NotificationRow>(
    `update notifications set status = 'sending', attempt_count = attempt_count + 1, last_attempt_at = now() where id = $1 returning *`,
    [id],
  );
  return rows[0]!;
}

export interface AttemptRecord {
  notificationId: string;
  attempt: number;
  outcome: 'sent' | 'temporary' | 'permanent';
  responseCode: number | null;
  response: string | null;
  error: string | null;
  durationMs: number;
}

export async function recordAttempt(db: Queryable, a: AttemptRecord): Promise<void> {
  await db.query(
    `insert into notification_attempts (notification_id, attempt, outcome, response_code, response, error, duration_ms) values ($1, $2, $3, $4, $5, $6, $7)`,
    [a.notificationId, a.attempt, a.outcome, a.responseCode, a.response?.slice(0, 2000) ?? null, a.error?.slice(0, 2000) ?? null, Math.round(a.durationMs)],
  );
}

/** The end of an attempt: sent, failed for good, or back to pending for the next try. */
export async function settleNotification(db: Queryable, id: string, status: 'sent' | 'failed' | 'pending', response: string | null, error: string | null): Promise<void> {
  await db.query(
    `update notifications set status = $2, last_response = coalesce($3, last_response), last_error = $4,
       settled_at = case when $2 = 'pending' then null else now() end
     where id = $1`,
    [id, status, response?.slice(0, 2000) ?? null, error?.slice(0, 2000) ?? null],
  );
}

export async function listAttempts(db: Queryable, notificationId: string) {
  const { rows } = await db.query(
    `select attempt, outcome, response_code as "responseCode", response, error, duration_ms as "durationMs", created_at as "createdAt"
     from notification_attempts where notification_id = $1 order by attempt`,
    [notificationId],
  );
  return rows as { attempt: number; outcome: string; responseCode: number | null; response: string | null; error: string | null; durationMs: number; createdAt: Date }[];
}

export function toNotification(row: NotificationRow): Notification {
  const m = row.message as { to?: string[]; subject?: string; text?: string; credential?: string };
  const summary = row.kind === 'email' ? `${m.subject ?? ''} → ${(m.to ?? []).join(', ')}` : `${(m.text ?? '').slice(0, 80)} → ${m.credential ?? ''}`;
  return {
    id: row.id,
    kind: row.kind,
    origin: row.origin,
    runId: row.run_id,
    nodeId: row.node_id,
    workflowId: row.workflow_id,
    status: row.status,
    attempts: row.attempt_count,
    messageId: row.message_id,
    summary,
    lastResponse: row.last_response,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    settledAt: row.settled_at?.toISOString() ?? null,
  };
}

export async function listNotifications(db: Queryable, filter: { runId?: string; limit: number }): Promise<NotificationRow[]> {
  const { rows } = await db.query<NotificationRow>(
    `select * from notifications where ($1::text is null or run_id = $1) order by created_at desc limit $2`,
    [filter.runId ?? null, filter.limit],
  );
  return rows;
}

export interface SmtpRow {
  host: string;
  port: number;
  security: 'starttls' | 'tls' | 'none';
  username: string | null;
  password_encrypted: string | null;
  from_address: string;
  updated_at: Date;
}

export async function smtpSettingsRow(db: Queryable): Promise<SmtpRow | undefined> {
  const { rows } = await db.query<SmtpRow>('select host, port, security, username, password_encrypted, from_address, updated_at from smtp_settings where id');
  return rows[0];
}

/** Saves the SMTP server; `passwordEncrypted` undefined keeps the stored password. */
export async function saveSmtpSettings(
  db: Queryable,
  s: { host: string; port: number; security: string; username: string | null; passwordEncrypted: string | null | undefined; from: string; updatedBy: string },
): Promise<void> {
  await db.query(
    `insert into smtp_settings (id, host, port, security, username, password_encrypted, from_address, updated_by)
     values (true, $1, $2, $3, $4, $5, $6, $7)
     on conflict (id) do update set host = excluded.host, port = excluded.port, security = excluded.security, username = excluded.username,
       password_encrypted = case when $8 then smtp_settings.password_encrypted else excluded.password_encrypted end,
       from_address = excluded.from_address, updated_by = excluded.updated_by, updated_at = now()`,
    [s.host, s.port, s.security, s.username, s.passwordEncrypted ?? null, s.from, s.updatedBy, s.passwordEncrypted === undefined],
  );
}

/** Retention: settled messages (with their attempts) and schedule firings older than the cutoff, at most `limit` a call. */
export async function deleteOldNotifications(db: Queryable, cutoff: string, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `delete from notifications where id in (select id from notifications where created_at < $1 and status in ('sent', 'failed') limit $2)`,
    [cutoff, limit],
  );
  await db.query(`delete from schedule_firings where ctid in (select ctid from schedule_firings where fired_at < $1 limit $2)`, [cutoff, limit]);
  return rowCount ?? 0;
}
