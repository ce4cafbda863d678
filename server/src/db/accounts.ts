import type { ApiKey, ApiKeyScope, User, UserRole } from '@tripline/shared';
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
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

const API_KEY_COLUMNS = `k.id, k.name, k.scope, k.prefix, k.created_at, k.created_by, k.owner_user_id, k.last_used_at, k.revoked_at,
  (k.owner_user_id is null or coalesce(not u.disabled, false)) as owner_active`;
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
): Promise<{ id: string; name: string; scope: ApiKeyScope; stale: boolean } | undefined> {
  const { rows } = await db.query(
    `select k.id, k.name, k.scope, (k.last_used_at is null or k.last_used_at < now() - $2 * interval '1 millisecond') as stale
       from api_keys k left join users u on u.id = k.owner_user_id
      where k.key_hash = $1 and k.revoked_at is null and (k.owner_user_id is null or (u.id is not null and not u.disabled))`,
    [hash, touchEveryMs],
  );
  return rows[0];
}

export async function touchApiKey(db: Queryable, id: string): Promise<void> {
  await db.query(`update api_keys set last_used_at = now() where id = $1`, [id]);
}
