import { FOR_EACH_LIMIT } from '@tripline/shared';
import { evaluate } from '../../logic.ts';
import type { Executor } from '../types.ts';

export const FOR_EACH_DEFAULT_MAX = 100;

/** The list a for_each step iterates, or why it cannot: shared by the executor and the new loop. */
export function forEachItems(config: { items: unknown; maxItems?: number }, scope: unknown): { ok: true; items: unknown[] } | { ok: false; error: string } {
  const value = evaluate(config.items, scope);
  if (value === null || value === undefined) return { ok: true, items: [] };
  if (!Array.isArray(value)) return { ok: false, error: `"items" gave ${typeof value}, not a list` };
  const max = Math.min(config.maxItems ?? FOR_EACH_DEFAULT_MAX, FOR_EACH_LIMIT);
  if (value.length > max) return { ok: false, error: `"items" gave ${value.length} items; this step allows at most ${max} (maxItems)` };
  return { ok: true, items: value };
}

/**
 * NOT WIRED YET: iterating needs the redesigned step loop (each iteration runs the `each`
 * branch with `item` and `index` in scope and is recorded with its index, then `done`).
 * Until then the step checks its list (limits included) and fails clearly, so a workflow
 * using it never silently skips its items.
 */
export const forEach: Executor<'for_each'> = async (config, step) => {
  const list = forEachItems(config, step.scope);
  if (!list.ok) return { kind: 'fail', error: list.error };
  return { kind: 'fail', error: 'for_each needs the new step loop, which this server does not have yet', output: { count: list.items.length } };
};
