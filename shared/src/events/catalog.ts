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
import { campaignActivated, campaignDeactivated, endpointDisabled, runFailed, sourceHealthChanged } from './system.ts';

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
