import fs from 'node:fs';
import path from 'node:path';
import { recordAudit } from '../audit/record.ts';
import { generatePassword } from '../auth/tokens.ts';
import type { AppContext } from '../context.ts';
import { anyUserExists } from '../db/accounts.ts';
import { lockUntilCommit, withTransaction } from '../db/pool.ts';
import { createUser } from './users.ts';

export const ADMIN_PASSWORD_FILE = 'admin-password.txt';

/**
 * First start: when no user exists, create the admin from TRIPLINE_ADMIN_EMAIL and
 * TRIPLINE_ADMIN_PASSWORD, or with a generated password written (mode 600) to
 * `<dataDir>/admin-password.txt`. An advisory lock makes two processes starting on the same
 * database create exactly one admin.
 */
export async function seedFirstAdmin(ctx: AppContext): Promise<void> {
  const created = await withTransaction(ctx.pool, async (tx) => {
    await lockUntilCommit(tx, 'tripline:seed-first-admin');
    if (await anyUserExists(tx)) return undefined;
    const password = ctx.config.adminPassword ?? generatePassword();
    const user = await createUser(tx, { email: ctx.config.adminEmail.toLowerCase(), password, role: 'admin' });
    await recordAudit(tx, { label: 'system' }, { action: 'user.created', targetType: 'user', targetId: user.id, after: { email: user.email, role: 'admin', disabled: false } });
    if (!ctx.config.adminPassword) {
      // Written before commit: if writing fails, no admin exists whose password nobody knows.
      fs.mkdirSync(ctx.config.dataDir, { recursive: true });
      const file = path.join(ctx.config.dataDir, ADMIN_PASSWORD_FILE);
      fs.rmSync(file, { force: true });
      fs.writeFileSync(file, `${user.email}\n${password}\n`, { mode: 0o600, flag: 'wx' });
    }
    return user;
  });
  if (created) ctx.log.info({ email: created.email }, 'created the first admin');
}
