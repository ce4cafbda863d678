import type { Queryable } from './queryable.ts';

/**
 * Leases of the processes whose console has a live stream open (migration 0021): the
 * activity triggers notify only while one is live, so a Tripline nobody is watching pays
 * nothing for the console on its hot path.
 */

/** Takes or renews this process's lease for `seconds`. */
export async function watchConsole(db: Queryable, watcherId: string, seconds: number): Promise<void> {
  await db.query(
    `insert into console_watchers (id, until) values ($1, now() + make_interval(secs => $2))
     on conflict (id) do update set until = excluded.until`,
    [watcherId, seconds],
  );
}

export async function unwatchConsole(db: Queryable, watcherId: string): Promise<void> {
  await db.query('delete from console_watchers where id = $1', [watcherId]);
}
