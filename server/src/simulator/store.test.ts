import { eventCatalog, isEventType } from '@tripline/shared';
import { describe, expect, it } from 'vitest';
import { StoreSimulator } from './store.ts';

describe('store simulator', () => {
  it('produces only events the catalog accepts, covering orders, stock, carts, customers and refunds', () => {
    const sim = new StoreSimulator({ seed: 42 });
    const events = sim.batch(2000);
    for (const e of events) {
      expect(isEventType(e.type)).toBe(true);
      if (!isEventType(e.type)) continue;
      const parsed = eventCatalog[e.type].schema.safeParse(e.data);
      expect(parsed.success, `${e.type}: ${JSON.stringify(e.data)}`).toBe(true);
    }
    const types = new Set(events.map((e) => e.type));
    for (const t of ['order.created', 'order.paid', 'order.fulfillment_updated', 'order.refunded', 'product.stock_changed', 'cart.updated', 'customer.created']) {
      expect(types).toContain(t);
    }
  });

  it('tells a consistent story: an order is paid only after it was created', () => {
    const events = new StoreSimulator({ seed: 7 }).batch(1000);
    const created = new Set<string>();
    for (const e of events) {
      const orderId = (e.data as { orderId?: string }).orderId;
      if (e.type === 'order.created') created.add(orderId!);
      if (e.type === 'order.paid' || e.type === 'order.fulfillment_updated') expect(created).toContain(orderId);
    }
  });
});
