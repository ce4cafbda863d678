import type { EventEnvelope } from '@tripline/shared';
import type { PoolClient } from '../../db/pool.ts';
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
  const previous = await tx.query<{ quantity: number; category: string | null; last_event_at: Date }>(
    'select quantity, category, last_event_at from product_state where sku = $1 for update',
    [sku],
  );
  const prev = previous.rows[0];
  if (prev && prev.last_event_at.getTime() > Date.parse(event.occurredAt)) return [];
  await tx.query(
    `insert into product_state (sku, quantity, category, last_event_at) values ($1, $2, $3, $4)
     on conflict (sku) do update set quantity = excluded.quantity, category = coalesce(excluded.category, product_state.category),
       last_event_at = excluded.last_event_at, updated_at = now()`,
    [sku, quantity, category ?? null, event.occurredAt],
  );
  const effectiveCategory = category ?? prev?.category ?? null;
  const watched = await tx.query<{ threshold: number; direction: 'below' | 'above' }>(
    `select distinct (config->>'threshold')::int as threshold, config->>'direction' as direction
       from workflow_triggers
      where event_type = 'inventory.threshold_crossed'
        and (coalesce(config->>'sku', '') = '' or config->>'sku' = $1)
        and (coalesce(config->>'category', '') = '' or config->>'category' = $2)`,
    [sku, effectiveCategory],
  );
  const derived: NewEvent[] = [];
  for (const { threshold, direction } of watched.rows) {
    const beyond = direction === 'below' ? quantity < threshold : quantity > threshold;
    const state = await tx.query<{ fired: boolean }>(
      `insert into threshold_state (sku, threshold, direction, fired) values ($1, $2, $3, false)
       on conflict (sku, threshold, direction) do update set updated_at = now()
       returning fired`,
      [sku, threshold, direction],
    );
    const fired = state.rows[0]!.fired;
    if (beyond === fired) continue;
    await tx.query('update threshold_state set fired = $4, updated_at = now() where sku = $1 and threshold = $2 and direction = $3', [
      sku,
      threshold,
      direction,
      beyond,
    ]);
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
