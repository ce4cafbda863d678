import { z } from 'zod';
import { lifecycleStage } from '../events/common.ts';
import { eventEnvelopeSchema } from '../events/envelope.ts';
import { deliverySummarySchema } from './endpoints.ts';
import { runSummarySchema } from './runs.ts';

/** The customer as the lookup step and conditions see it (`customer.*`). */
export const customerStateSchema = z.object({
  customerId: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  tags: z.array(z.string()),
  ltv: z.number(),
  ltvTier: z.string(),
  orderCount: z.number().int(),
  firstOrderAt: z.string().nullable(),
  lastOrderAt: z.string().nullable(),
  lifecycleStage,
  segments: z.array(z.string()),
});
export type CustomerState = z.infer<typeof customerStateSchema>;

/** How many recent events, runs and deliveries a customer page shows. */
export const CUSTOMER_RECENT_LIMIT = 20;

/** GET /api/v1/customers/:id: the customer's state plus what recently happened about them. */
export const customerContextSchema = customerStateSchema.extend({
  /** Events about the customer (their subject), newest first, at most CUSTOMER_RECENT_LIMIT. */
  events: z.array(eventEnvelopeSchema.extend({ processedAt: z.string().nullable() })),
  /** Runs those events (or later ones about the customer) started, newest first. */
  runs: z.array(runSummarySchema),
  /** Webhook deliveries of events about the customer (subscriptions and workflow steps), newest first. */
  deliveries: z.array(deliverySummarySchema),
});
export type CustomerContext = z.infer<typeof customerContextSchema>;
