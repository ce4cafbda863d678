import type { EventEnvelope, SettingValue } from '@tripline/shared';
import type { PoolClient } from '../../db/pool.ts';
import { findCustomerState } from '../../db/state.ts';
import type { NewEvent } from '../store-events.ts';
import { CustomerBook, customerView } from './customer-book.ts';

export { customerView };

/**
 * Applies one order, refund or customer event to the customer's state, outside an event
 * batch (the history import): a book of one event. Returns the derived events.
 */
export async function applyCustomerEvent(
  tx: PoolClient,
  event: EventEnvelope,
  /** Settings read once by a caller applying many events (the history import): two reads saved per event. */
  settings?: { tiers: SettingValue<'ltvTiers'>; lifecycle: SettingValue<'lifecycle'> },
): Promise<NewEvent[]> {
  const book = await CustomerBook.load(tx, [event], settings ? { settings } : undefined);
  const derived = book.apply(event);
  await book.flush(tx);
  return derived;
}

export async function loadCustomer(db: PoolClient | { query: PoolClient['query'] }, customerId: string) {
  const row = await findCustomerState(db, customerId);
  return row ? customerView(row) : null;
}
