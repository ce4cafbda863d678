import { z } from 'zod';
import { cartAbandoned, cartUpdated } from './cart.ts';
import {
  customerCreated,
  customerLifecycleStageChanged,
  customerLtvTierChanged,
  customerSegmentChanged,
  customerUpdated,
} from './customer.ts';
import type { EventDefinition } from './define.ts';
import { orderCancelled, orderCreated, orderFulfillmentUpdated, orderPaid, orderRefunded } from './order.ts';
import { inventoryThresholdCrossed, productStockChanged } from './product.ts';
import { discountApplied, promotionRuleQualified } from './promotion.ts';
import { campaignActivated, campaignDeactivated, endpointDisabled, runFailed, scheduleFired, sourceHealthChanged } from './system.ts';

const definitions = [
  orderCreated,
  orderPaid,
  orderFulfillmentUpdated,
  orderRefunded,
  orderCancelled,
  productStockChanged,
  customerCreated,
  customerUpdated,
  cartUpdated,
  promotionRuleQualified,
  discountApplied,
  inventoryThresholdCrossed,
  customerLtvTierChanged,
  customerLifecycleStageChanged,
  customerSegmentChanged,
  cartAbandoned,
  campaignActivated,
  campaignDeactivated,
  endpointDisabled,
  runFailed,
  scheduleFired,
  sourceHealthChanged,
] as const;

export type EventType = (typeof definitions)[number]['type'];
export const eventTypes = definitions.map((d) => d.type) as EventType[];
export const eventCatalog: Record<EventType, EventDefinition> = Object.fromEntries(
  definitions.map((d) => [d.type, d as EventDefinition]),
) as Record<EventType, EventDefinition>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventCatalog, type);
}

/**
 * What an event is about, as kind and id (`customer:cus_1`, `sku:TEE`), or null for an
 * event without a subject or of a type outside the catalog. Events match "the same
 * subject" only on this, never on the bare id.
 */
export function subjectOf(event: { type: string; subject: string | null }): { kind: string; key: string } | null {
  if (event.subject === null || !isEventType(event.type)) return null;
  return { kind: eventCatalog[event.type].subjectKind, key: event.subject };
}

/** Payload type of one event type, derived from its schema. */
export type EventData<T extends EventType> = z.infer<Extract<(typeof definitions)[number], { type: T }>['schema']>;

/** The catalog as served by `GET /api/v1/event-types`: JSON Schema for data, example, description. */
export function describeCatalog() {
  return definitions.map((d) => ({
    type: d.type,
    origin: d.origin,
    description: d.description,
    schema: z.toJSONSchema(d.schema, { io: 'input' }),
    example: d.example,
  }));
}
