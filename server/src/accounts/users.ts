import type { User, UserRole } from '@tripline/shared';
import { hashPassword } from '../auth/password.ts';
import { newId } from '../auth/tokens.ts';
import { insertUser, type UserRow } from '../db/accounts.ts';
import type { Queryable } from '../db/queryable.ts';
import { conflict } from '../http/errors.ts';

/** What an audit entry keeps of a user. */
export function auditedUser(user: User) {
  return { email: user.email, role: user.role, disabled: user.disabled };
}

/** A new person with a hashed password; 409 naming the email when it is taken. */
export async function createUser(db: Queryable, input: { email: string; password: string; role: UserRole }): Promise<UserRow> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await insertUser(db, { id: newId('usr'), email: input.email, passwordHash, role: input.role });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw conflict(`a user with the email ${input.email} already exists`, [{ path: 'email', message: 'already in use' }]);
    throw error;
  }
}
