import type { EventEnvelope } from '@tripline/shared';
import type { PoolClient } from '../../db/pool.ts';
import { lockProductState, saveProductState, setThresholdFired, thresholdFired, watchedThresholds } from '../../db/state.ts';
import type { NewEvent } from '../store-events.ts';
import { derive } from './derived.ts';

interface StockChange {
  sku: string;
  quantity: number;
  category?: string;
}

/**
 * Applies a stock level and returns the threshold crossings it causes. Stale events (older
 * than the last applied one for the SKU) change nothing, so reordering cannot fire a false
 * crossing. Each watched (threshold, direction) is edge-triggered: it fires once when the
 * level crosses and re-arms when it crosses back.
 */
export async function applyStockChange(tx: PoolClient, event: EventEnvelope): Promise<NewEvent[]> {
  const { sku, quantity, category } = event.data as unknown as StockChange;
  const prev = await lockProductState(tx, sku);
  if (prev && prev.last_event_at.getTime() > Date.parse(event.occurredAt)) return [];
  await saveProductState(tx, { sku, quantity, category: category ?? null, occurredAt: event.occurredAt });
  const effectiveCategory = category ?? prev?.category ?? null;
  const watched = await watchedThresholds(tx, sku, effectiveCategory);
  const derived: NewEvent[] = [];
  for (const { threshold, direction } of watched) {
    const beyond = direction === 'below' ? quantity < threshold : quantity > threshold;
    const fired = await thresholdFired(tx, sku, threshold, direction);
    if (beyond === fired) continue;
    await setThresholdFired(tx, sku, threshold, direction, beyond);
    if (beyond) {
      derived.push(
        derive(event, `threshold:${direction}:${threshold}`, 'inventory.threshold_crossed', {
          sku,
          threshold,
          direction,
          previousQuantity: prev?.quantity ?? quantity,
          quantity,
          ...(effectiveCategory ? { category: effectiveCategory } : {}),
        }),
      );
    }
  }
  return derived;
}
