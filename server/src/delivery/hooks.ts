import type { RaisedEvent, SettledStepDelivery } from '../bus.ts';
import type { AppContext } from '../context.ts';
import type { PoolClient } from '../db/pool.ts';

/**
 * How delivery tells whoever is interested that a workflow step's delivery settled, or
 * raises an event of its own (`endpoint.disabled`), without importing the engine: through
 * the ports of the process's bus (bus.ts), which the engine provides at start-up. Called by
 * the delivery state machine alone, in the transaction that settled the deliveries.
 */

/** The hook failed in a call that was not isolated: the transaction is lost; redo it with `isolated: true`. */
export class SettledHookFailed extends Error {}

/**
 * `isolated`: the hook must keep a failure of its own from failing the caller's transaction
 * (a savepoint, and a fallback). Without it the hook may simply throw, and the caller rolls
 * back and calls it again isolated (the delivery worker's optimistic write: no savepoint
 * round trips on the path that nearly always succeeds).
 */
export async function settledStepDeliveries(ctx: Pick<AppContext, 'bus'>, tx: PoolClient, settled: SettledStepDelivery[], { isolated = true } = {}): Promise<void> {
  const hook = ctx.bus.get('stepDeliveriesSettled');
  if (settled.length === 0 || !hook) return;
  if (isolated) return hook(tx, settled, { isolated });
  try {
    await hook(tx, settled, { isolated });
  } catch (error) {
    throw new SettledHookFailed(`the settled hook failed: ${(error as Error).message}`, { cause: error });
  }
}

/** Whether anything (the engine) listens for settled step deliveries in this process. */
export function hasSettledHook(ctx: Pick<AppContext, 'bus'>): boolean {
  return ctx.bus.has('stepDeliveriesSettled');
}

/** A process with no engine raises nothing. */
export async function raiseEvent(ctx: Pick<AppContext, 'bus'>, tx: PoolClient, event: RaisedEvent): Promise<void> {
  await ctx.bus.get('raiseEvent')?.(tx, event);
}
