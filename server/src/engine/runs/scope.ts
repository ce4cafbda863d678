import type { EventEnvelope } from '@tripline/shared';
import { loadCustomer } from '../state/customers.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { CustomerBook } from '../state/customer-book.ts';


/**
 * What json-logic rules and templates address: the envelope's fields at the top level
 * (`data.to`, `type`, `subject`), `vars` set by transforms, and `customer`, the current
 * state of the event's customer when it has one.
 */
export async function buildScope(db: Queryable, event: EventEnvelope, vars: Record<string, unknown>): Promise<Record<string, unknown>> {
  const customerId = event.data.customerId;
  const customer = typeof customerId === 'string' ? await loadCustomer(db as never, customerId) : null;
  return { ...event, vars, customer };
}

/** The scope with the customer from a batch's book, when it holds the event's customer (with the batch's changes so far). */
export async function scopeFrom(db: Queryable, event: EventEnvelope, customers: CustomerBook): Promise<Record<string, unknown>> {
  const customerId = event.data.customerId;
  if (typeof customerId === 'string' && customers.has(customerId)) return { ...event, vars: {}, customer: customers.view(customerId) };
  return buildScope(db, event, {});
}
