import { describe, expect, it } from 'vitest';
import { describeCatalog, eventCatalog, eventTypes } from './catalog.ts';

describe('event catalog', () => {
  it('covers every event type PRODUCT.md names', () => {
    for (const type of [
      'order.created', 'order.paid', 'order.fulfillment_updated', 'order.refunded', 'order.cancelled',
      'product.stock_changed', 'customer.created', 'customer.updated', 'cart.updated', 'promotion.rule_qualified',
      'discount.applied', 'inventory.threshold_crossed', 'customer.ltv_tier_changed', 'customer.lifecycle_stage_changed',
      'customer.segment_changed', 'cart.abandoned', 'campaign.activated', 'campaign.deactivated', 'endpoint.disabled', 'run.failed', 'source.health_changed',
    ]) {
      expect(eventTypes).toContain(type);
    }
  });

  it.each(eventTypes)('%s has an example its own schema accepts', (type) => {
    const def = eventCatalog[type];
    expect(def.schema.safeParse(def.example).success).toBe(true);
    expect(def.description.length).toBeGreaterThan(10);
  });

  it('exports JSON Schema that lists the required fields', () => {
    const order = describeCatalog().find((d) => d.type === 'order.created')!;
    expect(order.schema).toMatchObject({ type: 'object', required: expect.arrayContaining(['orderId', 'customerId', 'total']) });
  });

  it('rejects an order whose total is a string', () => {
    const example = eventCatalog['order.created'].example as Record<string, unknown>;
    const result = eventCatalog['order.created'].schema.safeParse({ ...example, total: '12' });
    expect(result.success).toBe(false);
  });
});
