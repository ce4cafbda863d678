import type { SettingValue } from '@tripline/shared';

export type Tiers = SettingValue<'ltvTiers'>;

/** The highest tier whose minimum the LTV reaches (tiers are sorted ascending). */
export function tierFor(ltv: number, tiers: Tiers): string {
  let tier = tiers[0]!.name;
  for (const t of tiers) if (ltv >= t.min) tier = t.name;
  return tier;
}
