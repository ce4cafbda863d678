import type { Queryable } from '../../db/queryable.ts';
import { findProductState, thresholdsWatchingSku } from '../../db/state.ts';

export interface WatchedThreshold {
  threshold: number;
  direction: 'below' | 'above';
  /** False once it fired; it re-arms when stock crosses back. Null: no stock level seen since it was first watched. */
  armed: boolean | null;
  /** The live workflows whose trigger watches it. */
  workflows: string[];
}

export interface StockView {
  sku: string;
  quantity: number | null;
  category: string | null;
  lastEventAt: string | null;
  thresholds: WatchedThreshold[];
}

/**
 * A SKU's stock as the engine sees it: the last applied level and every threshold a live
 * trigger watches for it, with whether each is armed (will fire at the next crossing).
 */
export async function stockView(db: Queryable, sku: string): Promise<StockView> {
  const p = await findProductState(db, sku);
  const watched = await thresholdsWatchingSku(db, sku, p?.category ?? null);
  return {
    sku,
    quantity: p?.quantity ?? null,
    category: p?.category ?? null,
    lastEventAt: p?.last_event_at.toISOString() ?? null,
    thresholds: watched.map((r) => ({ threshold: r.threshold, direction: r.direction, armed: r.fired === null ? null : !r.fired, workflows: r.workflows })),
  };
}

/**
 * Why one stock level did or did not cross a watched threshold, in the words of the event
 * page: "TEE-BLK-M 8 → 7: already below 10; fires again after it rises to 10 or more".
 */
export function explainCrossing(sku: string, previous: number | null, quantity: number, t: { threshold: number; direction: 'below' | 'above' }): string {
  const from = previous === null ? `${sku} (first level seen) ${quantity}` : `${sku} ${previous} → ${quantity}`;
  const beyond = (q: number) => (t.direction === 'below' ? q < t.threshold : q > t.threshold);
  const side = t.direction === 'below' ? `below ${t.threshold}` : `above ${t.threshold}`;
  const back = t.direction === 'below' ? `rises to ${t.threshold} or more` : `falls to ${t.threshold} or less`;
  if (!beyond(quantity)) return `${from}: not ${side}; fires when it goes ${side}`;
  if (previous !== null && beyond(previous)) return `${from}: already ${side}; fires again after it ${back}`;
  return `${from}: ${side}, but this threshold had already fired and has not re-armed; it fires again after stock ${back}`;
}
