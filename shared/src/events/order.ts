import { z } from 'zod';
import { currency, fulfillmentStatus, id, lineItem, money, orderStatus } from './common.ts';
import { defineEvent } from './define.ts';

const orderData = z.object({
  orderId: id,
  customerId: id,
  status: orderStatus,
  total: money,
  currency,
  items: z.array(lineItem).max(1000),
});

const exampleOrder = {
  orderId: '727',
  customerId: 'cus_42',
  status: 'processing' as const,
  total: 129.9,
  currency: 'EUR',
  items: [
    { sku: 'TEE-BLK-M', quantity: 2, price: 24.95, name: 'Black tee, M' },
    { sku: 'HOODIE-GRY-L', quantity: 1, price: 80, name: 'Grey hoodie, L' },
  ],
};

export const orderCreated = defineEvent({
  type: 'order.created',
  origin: 'raw',
  description: 'An order was placed. Counts toward lifetime value when its status is paid, processing or completed.',
  schema: orderData,
  example: exampleOrder,
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});

export const orderPaid = defineEvent({
  type: 'order.paid',
  origin: 'raw',
  description: 'Payment for an order was captured. Counts toward lifetime value once per order.',
  schema: orderData,
  example: { ...exampleOrder, status: 'paid' as const },
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});

export const orderFulfillmentUpdated = defineEvent({
  type: 'order.fulfillment_updated',
  origin: 'raw',
  description: 'An order moved along fulfilment: processing, shipped, delivered.',
  schema: z.object({
    orderId: id,
    customerId: id,
    status: fulfillmentStatus,
    carrier: z.string().max(200).optional(),
    trackingNumber: z.string().max(200).optional(),
  }),
  example: { orderId: '727', customerId: 'cus_42', status: 'shipped' as const, carrier: 'DHL', trackingNumber: 'JD014600006281' },
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});

export const orderRefunded = defineEvent({
  type: 'order.refunded',
  origin: 'raw',
  description: 'Money was returned to the customer for an order; lowers lifetime value by the amount.',
  schema: z.object({ orderId: id, customerId: id, amount: money, currency: currency.optional(), reason: z.string().max(1000).optional() }),
  example: { orderId: '727', customerId: 'cus_42', amount: 24.95, currency: 'EUR', reason: 'Wrong size' },
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});

export const orderCancelled = defineEvent({
  type: 'order.cancelled',
  origin: 'raw',
  description: 'An order was cancelled before fulfilment.',
  schema: z.object({ orderId: id, customerId: id, reason: z.string().max(1000).optional() }),
  example: { orderId: '728', customerId: 'cus_42', reason: 'Customer request' },
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});
