import type { Queryable } from './queryable.ts';

/** SQL of the settings table: one JSON value per key. Validation and defaults live in settings.ts. */

/** The stored value as saved, or undefined when the key was never set. */
export async function storedSetting(db: Queryable, key: string): Promise<{ value: unknown } | undefined> {
  const { rows } = await db.query<{ value: unknown }>('select value from settings where key = $1', [key]);
  return rows[0];
}

export async function saveSetting(db: Queryable, key: string, value: unknown): Promise<void> {
  await db.query(
    `insert into settings (key, value, updated_at) values ($1, $2, now())
     on conflict (key) do update set value = excluded.value, updated_at = now()`,
    [key, JSON.stringify(value)],
  );
}
