import type { EventEnvelope } from '@tripline/shared';
import type { AppContext } from '../context.ts';
import type { PoolClient } from '../db/pool.ts';
import { triggersFor } from '../db/runs.ts';
import { matchesTrigger } from './matching.ts';
import type { RunWrites } from './runs/run-writes.ts';
import { scopeFrom } from './runs/scope.ts';
import { startRun } from './runs/state-machine.ts';
import { applyCartUpdate } from './state/carts.ts';
import { CUSTOMER_EVENTS } from './state/customer-book.ts';
import { toEnvelope, type NewEvent } from './store-events.ts';
import { loadVersion } from './workflows/versions.ts';

/**
 * Where an event becomes runs and deliveries, inside its batch's transaction (and its own
 * savepoint): update the state the derived events come from, start a run for every live
 * workflow whose trigger matches (first slice included), and ask for a delivery for every
 * subscribed endpoint. Derived events, runs, steps and deliveries go to `writes` and reach
 * the database with the batch's other writes; the batch marks the event processed.
 */
export async function applyEvent(app: AppContext, tx: PoolClient, writes: RunWrites, event: EventEnvelope): Promise<string[]> {
  const derived = await deriveEvents(app, tx, writes, event);
  writes.events.push(...derived.map((d) => toEnvelope(d)));
  const runs = await startRuns(app, tx, writes, event);
  writes.fanOut.push(event);
  return runs;
}

async function deriveEvents(app: AppContext, tx: PoolClient, writes: RunWrites, event: EventEnvelope): Promise<NewEvent[]> {
  const derived: NewEvent[] = [];
  // In memory: the batch locked its products and customers before its first event (ProductBook.load, CustomerBook.load).
  if (event.type === 'product.stock_changed') derived.push(...writes.products.apply(event));
  if (CUSTOMER_EVENTS.has(event.type)) derived.push(...writes.customers.apply(event));
  if (event.type === 'cart.updated') await applyCartUpdate(tx, app.boss, event);
  return derived;
}

/** The memo key of a type's routing rows in a batch's RunWrites (primed by the batch's one read). */
export const triggersKey = (eventType: string) => `triggers:${eventType}`;

/**
 * Matching is one index lookup by event type on the routing table (once per type per
 * batch); only workflows that listen to this type are looked at, however many listen to others.
 */
async function startRuns(app: AppContext, tx: PoolClient, writes: RunWrites, event: EventEnvelope): Promise<string[]> {
  const triggers = await writes.cached(triggersKey(event.type), () => triggersFor(tx, event.type));
  if (triggers.length === 0) return [];
  // The customer is read (after this event's own state change) only when a filter or a run
  // needs it, and once for all the event's runs.
  let scope: Record<string, unknown> | undefined;
  const fullScope = async () => (scope ??= await scopeFrom(tx, event, writes.customers));
  const started: string[] = [];
  for (const trigger of triggers) {
    const filterScope = trigger.config.filter !== undefined ? await fullScope() : { ...event, vars: {} };
    if (matchesTrigger(trigger.config, event, filterScope, trigger.workflow_id)) continue;
    const graph = await loadVersion(tx, trigger.workflow_id, trigger.version);
    started.push(await startRun(app, tx, writes, { workflowId: trigger.workflow_id, version: trigger.version, graph, event, scope: await fullScope() }));
  }
  return started;
}
