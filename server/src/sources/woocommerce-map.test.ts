import fs from 'node:fs';
import path from 'node:path';
import { eventCatalog } from '@tripline/shared';
import { describe, expect, it } from 'vitest';
import { mapWooCommerce, type OrderState } from './woocommerce-map.ts';

const fixtures = path.resolve(import.meta.dirname, '../../test/sources/fixtures');
const order727 = JSON.parse(fs.readFileSync(path.join(fixtures, 'wc-order-727.json'), 'utf8'));
const product794 = JSON.parse(fs.readFileSync(path.join(fixtures, 'wc-product.json'), 'utf8'));

function valid(events: { type: keyof typeof eventCatalog; data: unknown }[]) {
  for (const e of events) expect(eventCatalog[e.type].schema.safeParse(e.data).success, e.type).toBe(true);
}

describe('WooCommerce orders', () => {
  it('maps the REST v3 order: string totals, guest by billing email, items without SKU', () => {
    const m = mapWooCommerce('order.created', order727, undefined);
    expect(m.events.map((e) => e.type)).toEqual(['order.created', 'order.paid']);
    expect(m.events[0]).toEqual({
      type: 'order.created',
      occurredAt: '2017-03-22T19:28:02.000Z',
      data: {
        orderId: '727',
        customerId: 'john.doe@example.com',
        status: 'processing',
        total: 29.35,
        currency: 'USD',
        items: [
          { sku: 'wc-product-93', quantity: 2, price: 3, name: 'Woo Single #1' },
          { sku: 'Bar3', quantity: 1, price: 12, name: 'Ship Your Idea – Color: Black, Size: M Test' },
        ],
      },
    });
    expect(m.state).toEqual({ status: 'processing', paid: true, refunded: 0 });
    valid(m.events);
  });

  it('a pending order is created unpaid; registered customers keep their id', () => {
    const m = mapWooCommerce('order.created', { ...order727, status: 'pending', date_paid: null, date_paid_gmt: null, customer_id: 12 }, undefined);
    expect(m.events.map((e) => e.type)).toEqual(['order.created']);
    expect(m.events[0]!.data).toMatchObject({ customerId: '12', status: 'pending' });
  });

  it('turns order.updated into the transitions it carries', () => {
    const pending: OrderState = { status: 'pending', paid: false, refunded: 0 };
    const paid = mapWooCommerce('order.updated', { ...order727, status: 'processing' }, pending);
    expect(paid.events.map((e) => e.type)).toEqual(['order.paid', 'order.fulfillment_updated']);
    expect(paid.events[1]!.data).toEqual({ orderId: '727', customerId: 'john.doe@example.com', status: 'processing' });

    const shipped = mapWooCommerce('order.updated', { ...order727, status: 'completed' }, paid.state);
    expect(shipped.events.map((e) => [e.type, e.data.status])).toEqual([['order.fulfillment_updated', 'shipped']]);

    const partly = mapWooCommerce('order.updated', { ...order727, status: 'completed', refunds: [{ id: 1, reason: 'Wrong size', total: '-6.00' }] }, shipped.state);
    expect(partly.events).toEqual([
      { type: 'order.refunded', occurredAt: '2017-03-22T19:28:08.000Z', data: { orderId: '727', customerId: 'john.doe@example.com', amount: 6, currency: 'USD', reason: 'Wrong size' } },
    ]);
    const again = mapWooCommerce('order.updated', { ...order727, status: 'completed', refunds: [{ id: 1, total: '-6.00' }] }, partly.state);
    expect(again.events).toEqual([]);

    const cancelled = mapWooCommerce('order.updated', { ...order727, status: 'cancelled' }, { status: 'on-hold', paid: false, refunded: 0 });
    expect(cancelled.events.map((e) => e.type)).toContain('order.cancelled');
    for (const m of [paid, shipped, partly, cancelled]) valid(m.events);
  });

  it('a fully refunded order without refund lines counts its whole total', () => {
    const m = mapWooCommerce('order.updated', { ...order727, status: 'refunded' }, { status: 'completed', paid: true, refunded: 0 });
    expect(m.events.find((e) => e.type === 'order.refunded')!.data).toMatchObject({ amount: 29.35 });
  });
});

describe('WooCommerce products and customers', () => {
  it('reports stock only when WooCommerce manages it, and only when it changed', () => {
    expect(mapWooCommerce('product.updated', product794, undefined).events).toEqual([]);
    const managed = { ...product794, manage_stock: true, stock_quantity: 7 };
    const first = mapWooCommerce('product.updated', managed, undefined);
    expect(first.events).toEqual([
      { type: 'product.stock_changed', occurredAt: '2017-03-23T20:01:14.000Z', data: { sku: 'wc-product-794', quantity: 7, category: 'Clothing', name: 'Premium Quality' } },
    ]);
    valid(first.events);
    expect(mapWooCommerce('product.updated', managed, first.state).events).toEqual([]);
    expect(mapWooCommerce('product.updated', { ...managed, stock_quantity: 3, sku: 'PQ-1' }, first.state).events[0]!.data).toMatchObject({ sku: 'PQ-1', quantity: 3 });
  });

  it('maps customers with email and name', () => {
    const m = mapWooCommerce('customer.created', { id: 25, email: 'John.Doe@Example.com', first_name: 'John', last_name: 'Doe', date_created_gmt: '2017-03-21T19:09:28' }, undefined);
    expect(m.events).toEqual([
      { type: 'customer.created', occurredAt: '2017-03-21T19:09:28.000Z', data: { customerId: '25', email: 'john.doe@example.com', name: 'John Doe' } },
    ]);
    valid(m.events);
  });
});
