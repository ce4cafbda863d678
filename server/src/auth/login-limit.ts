import type { Queryable } from '../db/queryable.ts';

/**
 * Sign-in throttling kept in PostgreSQL (table login_attempts), so every API process
 * behind a load balancer sees the same count and a restart forgets nothing.
 * - per email: 5 failures in 15 minutes (since its last success) lock that email;
 * - per IP: 50 failures in 15 minutes, whatever the email (password spraying).
 * A locked attempt is answered 429 with Retry-After and is not itself counted, so the
 * lock lifts on schedule even while someone keeps trying.
 */
export const LOGIN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_IP = 50;

/** Seconds until this email/IP may try again, or undefined when it may try now. */
export async function loginRetryAfter(db: Queryable, email: string, ip: string | undefined): Promise<number | undefined> {
  const byEmail = (await db.query(
    `select extract(epoch from (at + $2 * interval '1 millisecond' - now())) as wait
       from login_attempts
      where email = $1 and not succeeded and at > now() - $2 * interval '1 millisecond'
        and at > coalesce((select max(at) from login_attempts where email = $1 and succeeded), '-infinity')
      order by at desc offset $3 - 1 limit 1`,
    [email, LOGIN_WINDOW_MS, MAX_FAILURES_PER_EMAIL],
  )) as { rows: { wait: string }[] };
  const byIp = ip
    ? ((await db.query(
        `select extract(epoch from (at + $2 * interval '1 millisecond' - now())) as wait
           from login_attempts
          where ip = $1 and not succeeded and at > now() - $2 * interval '1 millisecond'
          order by at desc offset $3 - 1 limit 1`,
        [ip, LOGIN_WINDOW_MS, MAX_FAILURES_PER_IP],
      )) as { rows: { wait: string }[] })
    : { rows: [] };
  const waits = [...byEmail.rows, ...byIp.rows].map((r) => Number(r.wait));
  if (!waits.length) return undefined;
  return Math.max(1, Math.ceil(Math.max(...waits)));
}

export async function recordLoginAttempt(db: Queryable, email: string, ip: string | undefined, succeeded: boolean): Promise<void> {
  await db.query(`insert into login_attempts (email, ip, succeeded) values ($1, $2, $3)`, [email, ip ?? null, succeeded]);
  // Keep the table small: attempts older than a day no longer matter to anyone.
  if (Math.random() < 0.05) await db.query(`delete from login_attempts where at < now() - interval '1 day'`);
}
