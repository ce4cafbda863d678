import crypto from 'node:crypto';
import { eventCatalog, type EventEnvelope } from '@tripline/shared';
import type { PoolClient } from '../../db/pool.ts';
import { lockEntityState, saveEntityState } from '../../db/sources.ts';
import { insertHistoryEvents } from '../../db/source-sync.ts';
import { CUSTOMER_EVENTS } from '../../engine/state/customer-book.ts';
import { applyCustomerEvent } from '../../engine/state/customers.ts';
import { applyStockChange } from '../../engine/state/products.ts';
import { storeEvents, toEnvelope } from '../../engine/store-events.ts';
import { invalid, zodDetails } from '../../http/errors.ts';
import { getSetting } from '../../settings.ts';
import { mapWooCommerce, WooPayloadError, type EntityState, type WooTopic } from '../woocommerce-map.ts';

/**
 * One WooCommerce representation (an order, product or customer as the REST API or a
 * webhook gives it) → canonical events, once. The three ways a change reaches Tripline go
 * through here: a webhook, the reconcile poll and the history import. They share the
 * entity's last state (source_entity_state, locked for the transaction), so a change seen
 * by two of them maps to events once: the second finds nothing new.
 *
 * `mode`:
 * - `live`: the events go to the outbox like any ingested event (workflows, deliveries);
 * - `history`: the past, imported. The state Tripline keeps is built from the events right
 *   here (customer LTV, counts, order times, lifecycle, segments; stock levels) with the
 *   history's timestamps, and the events are stored as already processed: no run starts
 *   and no webhook goes out. Derived events (tier reached in 2023 …) are not emitted.
 */
export interface WooChange {
  sourceId: string;
  topic: WooTopic;
  body: unknown;
  /** Makes the event ids: the same seed always yields the same ids. */
  seed: string;
  mode: 'live' | 'history';
  /** History mode: the settings customer state needs, read once per page by the caller. */
  settings?: HistorySettings;
}

export type HistorySettings = NonNullable<Parameters<typeof applyCustomerEvent>[2]>;

export async function historySettings(db: PoolClient): Promise<HistorySettings> {
  const [tiers, lifecycle] = await Promise.all([getSetting(db, 'ltvTiers'), getSetting(db, 'lifecycle')]);
  return { tiers, lifecycle };
}

export async function applyWooChange(tx: PoolClient, change: WooChange): Promise<EventEnvelope[]> {
  const { sourceId, topic, body } = change;
  const entity = { sourceId, kind: topic.split('.')[0]!, entityId: body && typeof body === 'object' && 'id' in body ? String((body as { id: unknown }).id) : '' };
  const previous = await lockEntityState<EntityState>(tx, entity);
  let mapping;
  try {
    mapping = mapWooCommerce(topic, body, previous ?? undefined);
  } catch (error) {
    if (error instanceof WooPayloadError) throw invalid(`the ${topic} body cannot be read: ${error.message}`);
    throw error;
  }
  const seed = crypto.createHash('sha256').update(`${sourceId}\n${change.seed}`).digest('hex').slice(0, 32);
  const envelopes: EventEnvelope[] = mapping.events.map((event, i) => {
    const parsed = eventCatalog[event.type].schema.safeParse(event.data);
    if (!parsed.success) {
      throw invalid(`the ${topic} body does not make a valid ${event.type} event`, zodDetails(parsed.error, ['data']));
    }
    return toEnvelope({ id: `evt_wc_${seed}_${i}`, type: event.type, occurredAt: event.occurredAt, source: `woocommerce:${sourceId}`, data: parsed.data as Record<string, unknown> });
  });
  if (mapping.state) await saveEntityState(tx, entity, mapping.state);
  if (change.mode === 'live') {
    await storeEvents(tx, envelopes);
  } else {
    await insertHistoryEvents(tx, envelopes);
    // An order imported already paid counts on its order.created (a paid status), as it
    // would live; its order.paid then changes no state: skip the second pass over the customer.
    const countedOnCreate = envelopes.some((e) => e.type === 'order.created' && PAID_CANONICAL.has(String(e.data.status)));
    for (const e of envelopes) if (!(countedOnCreate && e.type === 'order.paid')) await applyHistoryState(tx, e, change.settings);
  }
  return envelopes;
}

/** The canonical statuses applyCustomerEvent counts an order.created under (engine/state/customers.ts). */
const PAID_CANONICAL = new Set(['paid', 'processing', 'completed']);

/** The state half of the engine's applyEvent, without runs, deliveries or derived events. */
async function applyHistoryState(tx: PoolClient, event: EventEnvelope, settings: HistorySettings | undefined): Promise<void> {
  if (event.type === 'product.stock_changed') await applyStockChange(tx, event);
  if (CUSTOMER_EVENTS.has(event.type)) await applyCustomerEvent(tx, event, settings);
}

/**
 * The topic of a representation read from the REST API: `created`, which the mapper turns
 * into an update when the entity was seen before (its stored state says what changed).
 */
export function topicFor(resource: 'orders' | 'products' | 'customers'): WooTopic {
  return `${resource.slice(0, -1)}.created` as WooTopic;
}
