import type { AppContext } from '../context.ts';
import { FOLD_INTERVAL_MS, foldRollups } from '../db/rollups.ts';

/** Folds every few seconds in worker processes; a failed pass is logged and tried again. */
export function startRollupFolding(ctx: AppContext): void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      await foldRollups(ctx.pool);
    } catch (error) {
      if (!stopped) ctx.log.warn({ err: error }, 'rollups: fold failed; trying again');
    }
    if (!stopped) timer = setTimeout(tick, FOLD_INTERVAL_MS);
  };
  timer = setTimeout(tick, FOLD_INTERVAL_MS);
  ctx.boss.once('stopped', () => {
    stopped = true;
    clearTimeout(timer);
  });
}
