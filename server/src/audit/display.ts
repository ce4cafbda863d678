import type { AuditEntry } from '@tripline/shared';
import { hasTargetNames, targetNames } from '../db/audit.ts';
import type { Queryable } from '../db/queryable.ts';

/**
 * Names for audit targets, read at display time (the log itself keeps ids, append-only):
 * a person reads "Gold tier → VIP", not wf_8Kx…. A target deleted since keeps its id.
 */
export async function withTargetNames(db: Queryable, entries: AuditEntry[]): Promise<(AuditEntry & { targetName: string | null })[]> {
  const ids = new Map<string, Set<string>>();
  for (const e of entries) if (e.targetId && hasTargetNames(e.targetType)) ids.set(e.targetType, (ids.get(e.targetType) ?? new Set()).add(e.targetId));
  const names = new Map<string, string>();
  await Promise.all(
    [...ids].map(async ([type, set]) => {
      for (const [id, name] of await targetNames(db, type, [...set])) names.set(`${type}:${id}`, name);
    }),
  );
  return entries.map((e) => ({ ...e, targetName: e.targetId ? (names.get(`${e.targetType}:${e.targetId}`) ?? null) : null }));
}
