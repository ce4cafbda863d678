import type { User, UserRole } from '@tripline/shared';
import type { Queryable } from '../db/queryable.ts';
import { conflict } from '../http/errors.ts';
import { hashPassword } from '../auth/password.ts';
import { newId } from '../auth/tokens.ts';

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

/** What an audit entry keeps of a user. */
export function auditedUser(user: User) {
  return { email: user.email, role: user.role, disabled: user.disabled };
}

export async function findUser(db: Queryable, id: string, forUpdate = false): Promise<UserRow | undefined> {
  const { rows } = await db.query(`select * from users where id = $1${forUpdate ? ' for update' : ''}`, [id]);
  return rows[0] as UserRow | undefined;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query(`select * from users where lower(email) = lower($1)`, [email]);
  return rows[0] as UserRow | undefined;
}

export async function listUsers(db: Queryable): Promise<UserRow[]> {
  const { rows } = await db.query(`select * from users order by lower(email)`);
  return rows as UserRow[];
}

export async function insertUser(db: Queryable, input: { email: string; password: string; role: UserRole }): Promise<UserRow> {
  const hash = await hashPassword(input.password);
  try {
    const { rows } = await db.query(`insert into users (id, email, password_hash, role) values ($1, $2, $3, $4) returning *`, [
      newId('usr'),
      input.email,
      hash,
      input.role,
    ]);
    return rows[0] as UserRow;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw conflict(`a user with the email ${input.email} already exists`, [{ path: 'email', message: 'already in use' }]);
    throw error;
  }
}

/**
 * Locks the enabled admins and tells whether one other than `userId` remains, so two
 * admins demoting each other at the same moment cannot leave nobody in charge.
 */
export async function anotherAdminRemains(db: Queryable, userId: string): Promise<boolean> {
  const { rows } = await db.query(`select id from users where role = 'admin' and not disabled order by id for update`);
  return (rows as { id: string }[]).some((r) => r.id !== userId);
}
