import type { EventEnvelope } from '@tripline/shared';
import type { PgBoss } from 'pg-boss';
import type { PoolClient } from '../../db/pool.ts';
import { markCartAbandoned, saveCart } from '../../db/state.ts';
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
  const version = await saveCart(tx, { cartId: data.cartId, customerId: data.customerId, data: event.data, occurredAt: event.occurredAt });
  if (version === undefined) return; // an older update arrived late: the newer one already scheduled its check
  const minutes = await getSetting(tx, 'cartAbandonMinutes');
  const due = new Date(Date.parse(event.occurredAt) + minutes * 60_000);
  await sendJob(boss, 'checkCartAbandoned', { cartId: data.cartId, version }, { db: clientDb(tx), startAfter: due });
}

export async function checkCartAbandoned(tx: PoolClient, cartId: string, version: number): Promise<boolean> {
  const cart = await markCartAbandoned(tx, cartId, version);
  if (!cart) return false;
  const { cartId: id, customerId, total, currency, items } = cart.data as Record<string, unknown>;
  await emitEvent(tx, {
    id: `cart-abandoned:${cartId}:${version}`,
    type: 'cart.abandoned',
    source: 'tripline',
    data: { cartId: id, customerId, total, ...(currency ? { currency } : {}), items, lastUpdatedAt: cart.last_event_at.toISOString() },
  });
  return true;
}
