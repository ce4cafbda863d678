import { defaultSetting, settingSchemas, type SettingKey, type SettingValue } from '@tripline/shared';
import type { Queryable } from './db/queryable.ts';
import { storedSetting } from './db/settings.ts';

/** Reads a setting, falling back to its default when unset or no longer valid. */
export async function getSetting<K extends SettingKey>(db: Queryable, key: K): Promise<SettingValue<K>> {
  const row = await storedSetting(db, key);
  if (!row) return defaultSetting(key);
  const parsed = settingSchemas[key].safeParse(row.value);
  return parsed.success ? (parsed.data as SettingValue<K>) : defaultSetting(key);
}
