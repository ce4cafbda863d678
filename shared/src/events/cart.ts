import { z } from 'zod';
import { currency, id, lineItem, money } from './common.ts';
import { defineEvent } from './define.ts';

const cartData = z.object({
  cartId: id,
  customerId: id,
  total: money,
  currency: currency.optional(),
  items: z.array(lineItem).max(1000),
});

export const cartUpdated = defineEvent({
  type: 'cart.updated',
  origin: 'raw',
  description: 'A cart changed. A cart with no order within the abandonment delay becomes cart.abandoned.',
  schema: cartData,
  example: { cartId: 'cart_9001', customerId: 'cus_42', total: 49.9, currency: 'EUR', items: [{ sku: 'TEE-BLK-M', quantity: 2, price: 24.95 }] },
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});

export const cartAbandoned = defineEvent({
  type: 'cart.abandoned',
  origin: 'derived',
  description: 'A cart was not checked out within the configured delay after its last update.',
  schema: cartData.extend({ lastUpdatedAt: z.iso.datetime() }),
  example: {
    cartId: 'cart_9001',
    customerId: 'cus_42',
    total: 49.9,
    currency: 'EUR',
    items: [{ sku: 'TEE-BLK-M', quantity: 2, price: 24.95 }],
    lastUpdatedAt: '2026-11-28T10:43:00.000Z',
  },
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});
