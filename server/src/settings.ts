import { defaultSetting, settingSchemas, type SettingKey, type SettingValue } from '@tripline/shared';
import type { Queryable } from './db/queryable.ts';
import { storedSetting } from './db/settings.ts';

/** Reads a setting, falling back to its default when unset or no longer valid. */
export async function getSetting<K extends SettingKey>(db: Queryable, key: K): Promise<SettingValue<K>> {
  const row = await storedSetting(db, key);
  return settingOf(key, row ? { value: row.value } : undefined);
}

/** A stored value (read elsewhere, e.g. with a batch's other reads) as the setting, or its default when unset or invalid. */
export function settingOf<K extends SettingKey>(key: K, stored: { value: unknown } | undefined): SettingValue<K> {
  if (!stored) return defaultSetting(key);
  const parsed = settingSchemas[key].safeParse(stored.value);
  return parsed.success ? (parsed.data as SettingValue<K>) : defaultSetting(key);
}
