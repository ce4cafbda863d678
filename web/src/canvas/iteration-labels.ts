import type { StepResult } from '@tripline/shared';

/**
 * "item 2 of 3" for every step that ran inside a for_each, keyed by the step record. The
 * count comes from the loop's own record (a for_each step's output says how many items it
 * walked), the nearest one before the step in run order; a loop's steps run after the
 * for_each that started them, and a loop cannot hold another loop. Steps outside a loop
 * (no iteration, or -1 as the engine stores it) get no label.
 */
export function iterationLabels(steps: readonly StepResult[]): Map<StepResult, string> {
  const labels = new Map<StepResult, string>();
  let count: number | undefined;
  for (const step of steps) {
    if (step.nodeType === 'for_each') {
      const out = step.output as { count?: unknown } | undefined;
      count = typeof out?.count === 'number' ? out.count : undefined;
      continue;
    }
    if (typeof step.iteration !== 'number' || step.iteration < 0) continue;
    labels.set(step, count !== undefined && step.iteration < count ? `item ${step.iteration + 1} of ${count}` : `item ${step.iteration + 1}`);
  }
  return labels;
}
