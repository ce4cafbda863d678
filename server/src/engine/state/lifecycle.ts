import type { LifecycleStage, SettingValue } from '@tripline/shared';

export type LifecycleSettings = SettingValue<'lifecycle'>;

const DAY_MS = 86_400_000;

/**
 * Stage from order count and recency: new (no order) → active (1) → repeat → loyal by
 * count; at_risk / lapsed when the last order is older than the configured days.
 */
export function stageFor(orderCount: number, lastOrderAt: Date | null, now: Date, s: LifecycleSettings): LifecycleStage {
  if (orderCount === 0 || !lastOrderAt) return 'new';
  const idleDays = (now.getTime() - lastOrderAt.getTime()) / DAY_MS;
  if (idleDays >= s.lapsedDays) return 'lapsed';
  if (idleDays >= s.atRiskDays) return 'at_risk';
  if (orderCount >= s.loyalOrders) return 'loyal';
  if (orderCount >= s.repeatOrders) return 'repeat';
  return 'active';
}
