import { keyLimitedByOwner, type ApiKey, type ApiKeyScope, type User, type UserRole } from '@tripline/shared';
import type { Queryable } from './queryable.ts';

/**
 * SQL of the accounts family: people (users) and API keys. Password hashes go in and come
 * out only as `UserRow.password_hash`, for sign-in; `toUser` never carries them.
 */

export interface UserRow {
  id: string;
  email: string;
  role: UserRole;
  disabled: boolean;
  password_hash: string;
  created_at: Date;
  updated_at: Date;
  last_login_at: Date | null;
}

/** The public shape: never the password hash. */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    disabled: row.disabled,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
  };
}

export async function findUser(db: Queryable, id: string, forUpdate = false): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`select * from users where id = $1${forUpdate ? ' for update' : ''}`, [id]);
  return rows[0];
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`select * from users where lower(email) = lower($1)`, [email]);
  return rows[0];
}

export async function listUsers(db: Queryable): Promise<UserRow[]> {
  const { rows } = await db.query<UserRow>(`select * from users order by lower(email)`);
  return rows;
}

export async function anyUserExists(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ any: boolean }>(`select exists (select 1 from users) as any`);
  return rows[0]!.any;
}

/** Throws PostgreSQL's unique violation (23505) when the email is taken. */
export async function insertUser(db: Queryable, user: { id: string; email: string; passwordHash: string; role: UserRole }): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(`insert into users (id, email, password_hash, role) values ($1, $2, $3, $4) returning *`, [
    user.id,
    user.email,
    user.passwordHash,
    user.role,
  ]);
  return rows[0]!;
}

export async function updateUserAccess(db: Queryable, id: string, role: UserRole, disabled: boolean): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(`update users set role = $2, disabled = $3, updated_at = now() where id = $1 returning *`, [id, role, disabled]);
  return rows[0]!;
}

/** `byOwner`: the person changed it themselves (password_changed_at), rather than an admin resetting it. */
export async function setPasswordHash(db: Queryable, id: string, hash: string, byOwner: boolean): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    `update users set password_hash = $2, updated_at = now()${byOwner ? ', password_changed_at = now()' : ''} where id = $1 returning *`,
    [id, hash],
  );
  return rows[0]!;
}

export async function markSignedIn(db: Queryable, id: string): Promise<void> {
  await db.query(`update users set last_login_at = now() where id = $1`, [id]);
}

export async function deleteUser(db: Queryable, id: string): Promise<void> {
  await db.query(`delete from users where id = $1`, [id]);
}

/**
 * Locks the enabled admins and tells whether one other than `userId` remains, so two
 * admins demoting each other at the same moment cannot leave nobody in charge.
 */
/** Emails of the enabled admins, oldest first: whom to ask for a permission or a setting. */
export async function adminEmails(db: Queryable, limit = 3): Promise<string[]> {
  const { rows } = await db.query<{ email: string }>(`select email from users where role = 'admin' and not disabled order by created_at, id limit $1`, [limit]);
  return rows.map((r) => r.email);
}

export async function anotherAdminRemains(db: Queryable, userId: string): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(`select id from users where role = 'admin' and not disabled order by id for update`);
  return rows.some((r) => r.id !== userId);
}

// ---- API keys ---------------------------------------------------------------------------

interface ApiKeyRow {
  id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  created_at: Date;
  created_by: string | null;
  owner_user_id: string | null;
  owner_active: boolean;
  owner_role: UserRole | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    prefix: row.prefix,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    ownerUserId: row.owner_user_id,
    ownerActive: row.owner_active,
    ownerRole: row.owner_role,
    limitedByOwnerRole: keyLimitedByOwner(row.scope, row.owner_role),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

const API_KEY_COLUMNS = `k.id, k.name, k.scope, k.prefix, k.created_at, k.created_by, k.owner_user_id, k.last_used_at, k.revoked_at,
  (k.owner_user_id is null or coalesce(not u.disabled, false)) as owner_active, u.role as owner_role`;
const API_KEY_FROM = 'api_keys k left join users u on u.id = k.owner_user_id';

/** Live keys first, newest first. */
export async function listApiKeys(db: Queryable): Promise<ApiKey[]> {
  const { rows } = await db.query<ApiKeyRow>(`select ${API_KEY_COLUMNS} from ${API_KEY_FROM} order by k.revoked_at is not null, k.created_at desc`);
  return rows.map(toApiKey);
}

export async function findApiKey(db: Queryable, id: string, forUpdate = false): Promise<ApiKey | undefined> {
  const { rows } = await db.query<ApiKeyRow>(`select ${API_KEY_COLUMNS} from ${API_KEY_FROM} where k.id = $1${forUpdate ? ' for update of k' : ''}`, [id]);
  return rows[0] && toApiKey(rows[0]);
}

/** Only the key's hash and prefix are stored. */
export async function insertApiKey(
  db: Queryable,
  key: { id: string; name: string; scope: ApiKeyScope; hash: string; prefix: string; createdBy: string; ownerUserId: string | null },
): Promise<ApiKey> {
  await db.query(
    `insert into api_keys (id, name, scope, key_hash, prefix, created_by, owner_user_id)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [key.id, key.name, key.scope, key.hash, key.prefix, key.createdBy, key.ownerUserId],
  );
  return (await findApiKey(db, key.id))!;
}

/** Revokes every live key a person owns; answers how many. */
export async function revokeApiKeysOf(db: Queryable, ownerUserId: string): Promise<number> {
  const { rowCount } = await db.query(`update api_keys set revoked_at = now() where owner_user_id = $1 and revoked_at is null`, [ownerUserId]);
  return rowCount ?? 0;
}

export async function revokeApiKey(db: Queryable, id: string): Promise<void> {
  await db.query(`update api_keys set revoked_at = now() where id = $1`, [id]);
}

export async function apiKeyOwner(db: Queryable, id: string): Promise<string | null> {
  const { rows } = await db.query<{ owner_user_id: string | null }>(`select owner_user_id from api_keys where id = $1`, [id]);
  return rows[0]?.owner_user_id ?? null;
}

/**
 * The live key with this hash: not revoked, and its owner (if any) still exists and is
 * enabled, so a key stops the moment its owner does. `stale`: its last use is older than
 * `touchEveryMs`, so it is time to record this one.
 */
export async function findLiveApiKeyByHash(
  db: Queryable,
  hash: string,
  touchEveryMs: number,
): Promise<{ id: string; name: string; scope: ApiKeyScope; owner_role: UserRole | null; stale: boolean } | undefined> {
  const { rows } = await db.query(
    `select k.id, k.name, k.scope, u.role as owner_role, (k.last_used_at is null or k.last_used_at < now() - $2 * interval '1 millisecond') as stale
       from api_keys k left join users u on u.id = k.owner_user_id
      where k.key_hash = $1 and k.revoked_at is null and (k.owner_user_id is null or (u.id is not null and not u.disabled))`,
    [hash, touchEveryMs],
  );
  return rows[0];
}

export async function touchApiKey(db: Queryable, id: string): Promise<void> {
  await db.query(`update api_keys set last_used_at = now() where id = $1`, [id]);
}

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
export async function emailLockWait(db: Queryable, email: string, ip: string | undefined, windowMs: number, maxFailures: number): Promise<number | undefined> {
  const { rows } = await db.query<{ wait: string }>(
    `select extract(epoch from (at + $2 * interval '1 millisecond' - now())) as wait
       from login_attempts
      where email = $1 and ip is not distinct from $4 and not succeeded and at > now() - $2 * interval '1 millisecond'
        and at > coalesce((select max(at) from login_attempts where email = $1 and ip is not distinct from $4 and succeeded), '-infinity')
      order by at desc offset $3 - 1 limit 1`,
    [email, windowMs, maxFailures, ip ?? null],
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
