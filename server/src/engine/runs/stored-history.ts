import { STORED_VALUE_LIMIT } from '../../db/stored-size.ts';

/**
 * What a run's history keeps (issue 23, item 6). Each step row stores the step's own input
 * (its config) and output, never the run's variables (they live once, on the run row), and
 * each input, output and message is capped at 16 KB, marked as cut (db/stored-size.ts). A
 * run's step rows together hold at most MAX_RUN_HISTORY_BYTES: past it, the run fails at its
 * next step with a message that says so. The check is made when a slice starts, so one slice
 * (at most MAX_STEPS_PER_SLICE steps of at most 3 × 16 KB) can go past the bound before it
 * holds: the bound is the budget plus one slice, whatever the workflow does.
 */

export const MAX_RUN_HISTORY_BYTES = 4 * 1024 * 1024;

/** The part of a recorded step's input that is the step's own: its config, not the run's vars. */
export function ownInput(input: unknown): unknown {
  if (input && typeof input === 'object' && 'config' in input) return { config: (input as { config: unknown }).config };
  return input;
}

/** The step error of a run whose history is full, or undefined while there is room. */
export function historyFull(storedBytes: number | undefined): string | undefined {
  if ((storedBytes ?? 0) < MAX_RUN_HISTORY_BYTES) return undefined;
  const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
  return (
    `this run's stored history reached its limit of ${mb(MAX_RUN_HISTORY_BYTES)} MB (its steps hold ${mb(storedBytes!)} MB), so it stops here; ` +
    `a loop over fewer items, or steps that keep less (each output is kept up to ${STORED_VALUE_LIMIT / 1024} KB), stays within it`
  );
}
