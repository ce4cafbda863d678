import { defaultSetting, settingSchemas, type SettingKey, type SettingValue } from '@tripline/shared';
import type { Queryable } from './db/queryable.ts';


/** Reads a setting, falling back to its default when unset or no longer valid. */
export async function getSetting<K extends SettingKey>(db: Queryable, key: K): Promise<SettingValue<K>> {
  const { rows } = await db.query('select value from settings where key = $1', [key]);
  const row = rows[0] as { value: unknown } | undefined;
  if (!row) return defaultSetting(key);
  const parsed = settingSchemas[key].safeParse(row.value);
  return parsed.success ? (parsed.data as SettingValue<K>) : defaultSetting(key);
}
