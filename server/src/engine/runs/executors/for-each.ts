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
 * Checks the list (limits included: more than maxItems is a step error, never a silent
 * cut) and hands it to the step loop, which runs the `each` branch once per item with
 * `item` and `index` in scope and records every step with its iteration (loop.ts), then
 * continues on `done`. Iterations are numbered per run, so a loop inside another loop's
 * `each` branch is refused rather than given clashing numbers.
 */
export const forEach: Executor<'for_each'> = async (config, step) => {
  if (step.iteration >= 0) return { kind: 'fail', error: 'a for_each cannot run inside another for_each\'s "each" branch; put the inner loop after "done" or in a separate workflow' };
  const list = forEachItems(config, step.scope);
  if (!list.ok) return { kind: 'fail', error: list.error };
  return { kind: 'next', handle: 'each', output: { count: list.items.length }, loop: { items: list.items } };
};
