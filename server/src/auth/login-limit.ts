import type { Queryable } from '../db/queryable.ts';
import { emailLockWait, insertLoginAttempt, ipLockWait, pruneLoginAttempts } from '../db/accounts.ts';

/**
 * Sign-in throttling kept in PostgreSQL (table login_attempts), so every API process
 * behind a load balancer sees the same count and a restart forgets nothing.
 * - per email and address together: 5 failures in 15 minutes (since the last success from
 *   that address) lock that email from that address only, so a stranger's wrong guesses
 *   cannot lock the owner out (they sign in from their own address);
 * - per IP: 50 failures in 15 minutes, whatever the email (password spraying).
 * A locked attempt is answered 429 with Retry-After and is not itself counted, so the
 * lock lifts on schedule even while someone keeps trying.
 */
export const LOGIN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_IP = 50;

/** Seconds until this email/IP may try again, or undefined when it may try now. */
export async function loginRetryAfter(db: Queryable, email: string, ip: string | undefined): Promise<number | undefined> {
  const waits = [
    await emailLockWait(db, email, ip, LOGIN_WINDOW_MS, MAX_FAILURES_PER_EMAIL),
    ip ? await ipLockWait(db, ip, LOGIN_WINDOW_MS, MAX_FAILURES_PER_IP) : undefined,
  ].filter((w): w is number => w !== undefined);
  if (!waits.length) return undefined;
  return Math.max(1, Math.ceil(Math.max(...waits)));
}

export async function recordLoginAttempt(db: Queryable, email: string, ip: string | undefined, succeeded: boolean): Promise<void> {
  await insertLoginAttempt(db, email, ip, succeeded);
  // Keep the table small, now and then rather than on every attempt.
  if (Math.random() < 0.05) await pruneLoginAttempts(db);
}
