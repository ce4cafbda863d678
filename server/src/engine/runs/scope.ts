import type { EventEnvelope } from '@tripline/shared';
import { loadCustomer } from '../state/customers.ts';
import type { Queryable } from '../../db/queryable.ts';


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
