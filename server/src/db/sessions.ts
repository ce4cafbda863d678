import type { UserRole } from '@tripline/shared';
import type { Queryable } from './queryable.ts';

/**
 * SQL of sign-in state: sessions (stored as the SHA-256 of their cookie value) and
 * login_attempts (the sign-in throttle's memory, shared by every API process).
 */

export async function insertSession(
  db: Queryable,
  session: { id: string; tokenHash: string; userId: string; expiresAt: Date; ip: string | null; userAgent: string | null },
): Promise<void> {
  await db.query(`insert into sessions (id, token_hash, user_id, expires_at, ip, user_agent) values ($1, $2, $3, $4, $5, $6)`, [
    session.id,
    session.tokenHash,
    session.userId,
    session.expiresAt,
    session.ip,
    session.userAgent,
  ]);
}

/** This user's sessions that ended: past their absolute expiry, or idle longer than `idleMs`. */
export async function deleteEndedSessions(db: Queryable, userId: string, idleMs: number): Promise<void> {
  await db.query(`delete from sessions where user_id = $1 and (expires_at < now() or last_seen_at < now() - $2 * interval '1 millisecond')`, [userId, idleMs]);
}

export interface LiveSession {
  id: string;
  user_id: string;
  email: string;
  role: UserRole;
  /** Last seen longer ago than `touchEveryMs`: time to record this request. */
  stale: boolean;
}

/** The session with this token hash while it lives (not expired, not idle too long, its user enabled). */
export async function findLiveSession(db: Queryable, tokenHash: string, idleMs: number, touchEveryMs: number): Promise<LiveSession | undefined> {
  const { rows } = await db.query<LiveSession>(
    `select s.id, u.id as user_id, u.email, u.role, s.last_seen_at < now() - $3 * interval '1 millisecond' as stale
       from sessions s join users u on u.id = s.user_id
      where s.token_hash = $1 and not u.disabled and s.expires_at > now()
        and s.last_seen_at > now() - $2 * interval '1 millisecond'`,
    [tokenHash, idleMs, touchEveryMs],
  );
  return rows[0];
}

export async function touchSession(db: Queryable, id: string): Promise<void> {
  await db.query(`update sessions set last_seen_at = now() where id = $1`, [id]);
}

export async function deleteSession(db: Queryable, id: string): Promise<void> {
  await db.query(`delete from sessions where id = $1`, [id]);
}

/** Ends every session of a user (but `keepId`, the caller's own, when given); answers how many ended. */
export async function deleteSessionsOf(db: Queryable, userId: string, keepId?: string): Promise<number> {
  const { rows } = keepId
    ? await db.query(`delete from sessions where user_id = $1 and id <> $2 returning id`, [userId, keepId])
    : await db.query(`delete from sessions where user_id = $1 returning id`, [userId]);
  return rows.length;
}

// ---- login attempts ---------------------------------------------------------------------

/**
 * Seconds until the oldest of the last `maxFailures` failures of this email (since its last
 * success) leaves the window; none when fewer failures lie in the window.
 */
export async function emailLockWait(db: Queryable, email: string, windowMs: number, maxFailures: number): Promise<number | undefined> {
  const { rows } = await db.query<{ wait: string }>(
    `select extract(epoch from (at + $2 * interval '1 millisecond' - now())) as wait
       from login_attempts
      where email = $1 and not succeeded and at > now() - $2 * interval '1 millisecond'
        and at > coalesce((select max(at) from login_attempts where email = $1 and succeeded), '-infinity')
      order by at desc offset $3 - 1 limit 1`,
    [email, windowMs, maxFailures],
  );
  return rows[0] ? Number(rows[0].wait) : undefined;
}

/** The same for one IP address, whatever the emails tried (password spraying). */
export async function ipLockWait(db: Queryable, ip: string, windowMs: number, maxFailures: number): Promise<number | undefined> {
  const { rows } = await db.query<{ wait: string }>(
    `select extract(epoch from (at + $2 * interval '1 millisecond' - now())) as wait
       from login_attempts
      where ip = $1 and not succeeded and at > now() - $2 * interval '1 millisecond'
      order by at desc offset $3 - 1 limit 1`,
    [ip, windowMs, maxFailures],
  );
  return rows[0] ? Number(rows[0].wait) : undefined;
}

export async function insertLoginAttempt(db: Queryable, email: string, ip: string | undefined, succeeded: boolean): Promise<void> {
  await db.query(`insert into login_attempts (email, ip, succeeded) values ($1, $2, $3)`, [email, ip ?? null, succeeded]);
}

/** Attempts older than a day no longer matter to anyone. */
export async function pruneLoginAttempts(db: Queryable): Promise<void> {
  await db.query(`delete from login_attempts where at < now() - interval '1 day'`);
}
