import { z } from 'zod';

export const id = z.string().min(1).max(200);
export const money = z.number().finite().nonnegative();
export const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR');
export const sku = z.string().min(1).max(200);

export const lineItem = z.object({
  sku,
  quantity: z.number().int().positive(),
  price: money,
  name: z.string().max(500).optional(),
});

export const orderStatus = z.enum(['pending', 'paid', 'processing', 'completed', 'cancelled', 'failed']);
export const fulfillmentStatus = z.enum(['processing', 'shipped', 'delivered']);

export const lifecycleStage = z.enum(['new', 'active', 'repeat', 'loyal', 'at_risk', 'lapsed']);
export type LifecycleStage = z.infer<typeof lifecycleStage>;
