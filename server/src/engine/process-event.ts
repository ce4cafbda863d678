import crypto from 'node:crypto';
import type { EventEnvelope } from '@tripline/shared';
import type { AppContext } from '../context.ts';
import { fanOutEvent } from '../delivery/fan-out.ts';
import { withTransaction, type PoolClient } from '../db/pool.ts';
import { getSetting } from '../settings.ts';
import { EVENT_COLUMNS, rowToEnvelope } from './events.ts';
import { matchesTrigger } from './matching.ts';
import { executeRunInline } from './runs/execute.ts';
import { buildScope } from './runs/scope.ts';
import { applyCartUpdate, convertCarts } from './state/carts.ts';
import { applyCustomerEvent } from './state/customers.ts';
import { applyStockChange } from './state/products.ts';
import { storeEvents, toEnvelope, type NewEvent } from './store-events.ts';
import { loadVersion } from './workflows/versions.ts';

const CUSTOMER_EVENTS = new Set(['order.created', 'order.paid', 'order.refunded', 'customer.created', 'customer.updated']);

/**
 * Where an event becomes runs and deliveries. In one transaction: update the state the
 * derived events come from, store those derived events (each with its own job), start a
 * run for every live workflow whose trigger matches, queue a delivery for every
 * subscribed endpoint, and mark the event processed. A retried job finds the event
 * processed and does nothing, so each event is processed once.
 */
export async function processEvent(app: AppContext, eventId: string): Promise<{ runs: string[] } | undefined> {
  return withTransaction(app.pool, (tx) => processEventIn(app, tx, eventId));
}

async function processEventIn(app: AppContext, tx: PoolClient, eventId: string): Promise<{ runs: string[] } | undefined> {
  {
    // One read locks the event and loads it: this runs for every event.
    const { rows } = await tx.query(`select ${EVENT_COLUMNS}, processed_at from events where id = $1 for update`, [eventId]);
    if (!rows[0] || rows[0].processed_at) return undefined;
    const event = rowToEnvelope(rows[0]);

    const derived = await deriveEvents(app, tx, event);
    await storeEvents(tx, app.boss, derived.map((d) => toEnvelope(d)));

    const runs = await startRuns(app, tx, event);
    await fanOutEvent(tx, app, event);
    await tx.query('update events set processed_at = now() where id = $1', [eventId]);
    return { runs };
  }
}

async function deriveEvents(app: AppContext, tx: PoolClient, event: EventEnvelope): Promise<NewEvent[]> {
  const derived: NewEvent[] = [];
  if (event.type === 'product.stock_changed') derived.push(...(await applyStockChange(tx, event)));
  // The customer row lock comes first: it serialises a customer's events before their carts are touched.
  if (CUSTOMER_EVENTS.has(event.type)) derived.push(...(await applyCustomerEvent(tx, event)));
  if (event.type === 'order.created' || event.type === 'order.paid') await convertCarts(tx, event);
  if (event.type === 'cart.updated') await applyCartUpdate(tx, app.boss, event);
  return derived;
}

interface TriggerRow {
  workflow_id: string;
  version: number;
  config: Record<string, unknown>;
}

/**
 * Matching is one index lookup by event type on the routing table; only workflows that
 * listen to this type are looked at, however many listen to others.
 */
async function startRuns(app: AppContext, tx: PoolClient, event: EventEnvelope): Promise<string[]> {
  const { rows: triggers } = await tx.query<TriggerRow>('select workflow_id, version, config from workflow_triggers where event_type = $1 order by workflow_id', [event.type]);
  if (triggers.length === 0) return [];
  const needsScope = triggers.some((t) => t.config.filter !== undefined);
  const scope = needsScope ? await buildScope(tx, event, {}) : { ...event, vars: {} };
  const depth = event.chain.length;
  const limit = await getSetting(tx, 'maxChainDepth');
  const started: string[] = [];
  for (const trigger of triggers) {
    if (matchesTrigger(trigger.config, event, scope)) continue;
    const graph = await loadVersion(tx, trigger.workflow_id, trigger.version);
    const tooDeep = depth >= limit;
    const runId = `run_${crypto.randomUUID().replaceAll('-', '')}`;
    const { rows } = await tx.query<{ id: string }>(
      `insert into runs (id, workflow_id, version, event_id, event_type, subject, status, current_node, depth, error, finished_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, case when $7 = 'failed' then now() end)
       on conflict (workflow_id, event_id) do nothing returning id`,
      [
        runId,
        trigger.workflow_id,
        trigger.version,
        event.id,
        event.type,
        event.subject,
        tooDeep ? 'failed' : 'running',
        graph.trigger.id,
        depth,
        tooDeep ? `loop protection: this event is ${depth} steps down a causation chain (limit ${limit}); the run was not started` : null,
      ],
    );
    if (rows[0] && !tooDeep) started.push(rows[0].id);
  }
  // Run each new run's first slice here, in the event's transaction: it commits with the
  // run row or not at all, and saves a job hop (and a commit) per run.
  for (const runId of started) await executeRunInline(app, tx, runId, event);
  return started;
}
