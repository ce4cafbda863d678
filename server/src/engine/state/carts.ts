import type { EventEnvelope } from '@tripline/shared';
import type { PgBoss } from 'pg-boss';
import type { PoolClient } from '../../db/pool.ts';
import { clientDb, sendJob } from '../../queue/boss.ts';
import { getSetting } from '../../settings.ts';
import { emitEvent } from '../store-events.ts';

/**
 * A cart update bumps the cart's version and schedules an abandonment check after the
 * configured delay. The check fires only if the version is unchanged and the cart still
 * open, so a later update or a checkout (an order by the same customer) cancels it.
 */
export async function applyCartUpdate(tx: PoolClient, boss: PgBoss, event: EventEnvelope): Promise<void> {
  const data = event.data as { cartId: string; customerId: string };
  const { rows } = await tx.query<{ version: number }>(
    `insert into carts (cart_id, customer_id, data, last_event_at) values ($1, $2, $3, $4)
     on conflict (cart_id) do update set
       version = carts.version + 1, data = excluded.data, customer_id = excluded.customer_id,
       last_event_at = excluded.last_event_at, status = 'open', updated_at = now()
       where carts.last_event_at <= excluded.last_event_at
     returning version`,
    [data.cartId, data.customerId, JSON.stringify(event.data), event.occurredAt],
  );
  if (!rows[0]) return; // an older update arrived late: the newer one already scheduled its check
  const minutes = await getSetting(tx, 'cartAbandonMinutes');
  const due = new Date(Date.parse(event.occurredAt) + minutes * 60_000);
  await sendJob(boss, 'checkCartAbandoned', { cartId: data.cartId, version: rows[0].version }, { db: clientDb(tx), startAfter: due });
}

/** An order converts the customer's open carts last updated before it. */
export async function convertCarts(tx: PoolClient, event: EventEnvelope): Promise<void> {
  const customerId = String((event.data as { customerId: unknown }).customerId);
  await tx.query(
    `update carts set status = 'converted', updated_at = now() where customer_id = $1 and status = 'open' and last_event_at <= $2`,
    [customerId, event.occurredAt],
  );
}

export async function checkCartAbandoned(tx: PoolClient, boss: PgBoss, cartId: string, version: number): Promise<boolean> {
  const { rows } = await tx.query<{ data: Record<string, unknown>; last_event_at: Date }>(
    `update carts set status = 'abandoned', updated_at = now()
      where cart_id = $1 and version = $2 and status = 'open' returning data, last_event_at`,
    [cartId, version],
  );
  const cart = rows[0];
  if (!cart) return false;
  const { cartId: id, customerId, total, currency, items } = cart.data as Record<string, unknown>;
  await emitEvent(tx, boss, {
    id: `cart-abandoned:${cartId}:${version}`,
    type: 'cart.abandoned',
    source: 'tripline',
    data: { cartId: id, customerId, total, ...(currency ? { currency } : {}), items, lastUpdatedAt: cart.last_event_at.toISOString() },
  });
  return true;
}
