import type { EventType } from './catalog.ts';

/**
 * Event types as people say them, grouped by what they are about: pickers read
 * "Orders → Order paid" rather than a flat list of machine names. One entry per catalog
 * type (a Record), so a new event type must be named here to compile.
 */
export const eventFamilies = ['Orders', 'Products and stock', 'Customers', 'Carts', 'Promotions', 'Tripline'] as const;
export type EventFamily = (typeof eventFamilies)[number];

export const eventNames: Record<EventType, { family: EventFamily; name: string }> = {
  'order.created': { family: 'Orders', name: 'Order created' },
  'order.paid': { family: 'Orders', name: 'Order paid' },
  'order.fulfillment_updated': { family: 'Orders', name: 'Order fulfilment updated' },
  'order.refunded': { family: 'Orders', name: 'Order refunded' },
  'order.cancelled': { family: 'Orders', name: 'Order cancelled' },
  'product.stock_changed': { family: 'Products and stock', name: 'Stock level changed (every change)' },
  'inventory.threshold_crossed': { family: 'Products and stock', name: 'Stock crossed a threshold (once)' },
  'customer.created': { family: 'Customers', name: 'Customer created' },
  'customer.updated': { family: 'Customers', name: 'Customer updated' },
  'customer.ltv_tier_changed': { family: 'Customers', name: 'Customer LTV tier changed' },
  'customer.lifecycle_stage_changed': { family: 'Customers', name: 'Customer lifecycle stage changed' },
  'customer.segment_changed': { family: 'Customers', name: 'Customer segment changed' },
  'cart.updated': { family: 'Carts', name: 'Cart updated' },
  'cart.abandoned': { family: 'Carts', name: 'Cart abandoned' },
  'promotion.rule_qualified': { family: 'Promotions', name: 'Promotion rule qualified' },
  'discount.applied': { family: 'Promotions', name: 'Discount applied' },
  'campaign.activated': { family: 'Tripline', name: 'Campaign activated' },
  'campaign.deactivated': { family: 'Tripline', name: 'Campaign deactivated' },
  'endpoint.disabled': { family: 'Tripline', name: 'Endpoint disabled' },
  'run.failed': { family: 'Tripline', name: 'Workflow run failed' },
  'schedule.fired': { family: 'Tripline', name: 'Schedule came due' },
  'source.health_changed': { family: 'Tripline', name: 'Store connection health changed' },
};

/** "Orders → Order paid"; the machine name itself for a type the catalog does not know. */
export function eventTitle(type: string): string {
  const n = Object.hasOwn(eventNames, type) ? eventNames[type as EventType] : undefined;
  return n ? `${n.family} → ${n.name}` : type;
}
