import { z } from 'zod';

export const sourceKinds = ['woocommerce'] as const;

export const sourceInputSchema = z.object({
  kind: z.enum(sourceKinds),
  name: z.string().trim().min(1).max(200),
});

export const sourceSchema = z.object({
  id: z.string(),
  kind: z.enum(sourceKinds),
  name: z.string(),
  /** Where the store sends its webhooks (path under the server's base URL). */
  deliveryPath: z.string(),
  createdAt: z.string(),
  lastReceivedAt: z.string().nullable(),
});
export type Source = z.infer<typeof sourceSchema>;

/** POST /api/v1/sources answers the source and, this once, the secret to paste into WooCommerce. */
export const sourceCreatedSchema = sourceSchema.extend({ secret: z.string() });

export const ingestResultSchema = z.object({
  received: z.boolean(),
  duplicate: z.boolean().optional(),
  topic: z.string().optional(),
  events: z.array(z.object({ id: z.string(), type: z.string() })),
});
