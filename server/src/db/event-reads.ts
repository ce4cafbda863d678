import type { Queryable } from './queryable.ts';

/**
 * Reads of past events that explain what the engine did (the event page). The events
 * family's own SQL is in events.ts; these never run on the hot path.
 */

/** The newest stock level of the SKU that occurred after `occurredAt` and was received by `receivedBy`. */
export async function newerStockLevel(db: Queryable, sku: string, occurredAt: string, receivedBy: string): Promise<{ quantity: number; occurred_at: Date } | undefined> {
  const { rows } = await db.query<{ quantity: number; occurred_at: Date }>(
    `select (data->>'quantity')::int as quantity, occurred_at from events
      where type = 'product.stock_changed' and subject = $1 and occurred_at > $2 and received_at <= $3 order by occurred_at desc limit 1`,
    [sku, occurredAt, receivedBy],
  );
  return rows[0];
}

/** The stock level of the SKU just before the event `eventId` (occurred at `occurredAt`), if any. */
export async function previousStockLevel(db: Queryable, sku: string, eventId: string, occurredAt: string): Promise<number | undefined> {
  const { rows } = await db.query<{ quantity: number }>(
    `select (data->>'quantity')::int as quantity from events
      where type = 'product.stock_changed' and subject = $1 and id <> $2 and occurred_at <= $3 order by occurred_at desc, seq desc limit 1`,
    [sku, eventId, occurredAt],
  );
  return rows[0]?.quantity;
}
