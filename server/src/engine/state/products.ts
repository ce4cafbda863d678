import type { EventEnvelope } from '@tripline/shared';
import type { Queryable } from '../../db/queryable.ts';
import type { NewEvent } from '../store-events.ts';
import { ProductBook } from './product-book.ts';

/**
 * Applies one stock level outside an event batch (the history import): a book of one event.
 * Returns the threshold crossings it causes (see ProductBook).
 */
export async function applyStockChange(tx: Queryable, event: EventEnvelope): Promise<NewEvent[]> {
  const book = await ProductBook.load(tx, [event]);
  const derived = book.apply(event);
  await book.flush(tx);
  return derived;
}
