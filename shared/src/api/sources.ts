import { z } from 'zod';

export const sourceKinds = ['woocommerce'] as const;

/**
 * Without keys a source is the manual mode (paste the delivery URL and secret into
 * WooCommerce's webhooks); with `storeUrl` and REST API keys Tripline connects itself:
 * checks the keys, registers its webhooks, imports the history and polls for what they miss.
 */
export const sourceInputSchema = z
  .object({
    kind: z.enum(sourceKinds),
    name: z.string().trim().min(1).max(200),
    storeUrl: z.string().trim().min(1).max(2000).optional(),
    consumerKey: z.string().trim().min(1).max(200).optional(),
    consumerSecret: z.string().trim().min(1).max(200).optional(),
    /** Connect only: replay the imported history through workflows (off: history builds state only). */
    runWorkflows: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    const given = (['storeUrl', 'consumerKey', 'consumerSecret'] as const).filter((k) => v[k] !== undefined);
    if (given.length > 0 && given.length < 3) {
      for (const k of ['storeUrl', 'consumerKey', 'consumerSecret'] as const) {
        if (v[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: `${k} is required to connect a store (storeUrl, consumerKey and consumerSecret go together)` });
      }
    }
  });
export type SourceInput = z.infer<typeof sourceInputSchema>;

export const sourceSchema = z.object({
  id: z.string(),
  kind: z.enum(sourceKinds),
  name: z.string(),
  /** Where the store sends its webhooks (path under the server's base URL). */
  deliveryPath: z.string(),
  createdAt: z.string(),
  lastReceivedAt: z.string().nullable(),
  /** Connected mode only: the store's address (its keys are never answered). */
  storeUrl: z.string().nullable().optional(),
});
export type Source = z.infer<typeof sourceSchema>;

export const sourceHealthStatuses = ['healthy', 'degraded', 'failing'] as const;

export const sourceConnectionSchema = z.object({
  status: z.enum(['ok', 'failing']),
  checkedAt: z.string().nullable(),
  error: z.string().nullable(),
});

export const sourceWebhookSchema = z.object({
  topic: z.string(),
  /** As the store reports it: active | paused | disabled, or `missing` when it is gone. */
  status: z.string(),
  id: z.number().int().nullable().optional(),
});

export const backfillStatuses = ['idle', 'running', 'completed', 'failed'] as const;
export const backfillPhases = ['customers', 'orders', 'products'] as const;

export const sourceBackfillSchema = z.object({
  status: z.enum(backfillStatuses),
  phase: z.enum(backfillPhases).nullable(),
  done: z.number().int(),
  total: z.number().int(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  runWorkflows: z.boolean().optional(),
});
export type SourceBackfill = z.infer<typeof sourceBackfillSchema>;

export const sourceReconcileSchema = z.object({
  lastRunAt: z.string().nullable(),
  /** Per resource, the store's modification time up to which everything was checked. */
  watermark: z.record(z.string(), z.string().nullable()),
  /** Changes the poll found that no webhook had delivered (turned into events). */
  recovered: z.number().int(),
  error: z.string().nullable().optional(),
  intervalMinutes: z.number().optional(),
});

/** GET /api/v1/sources/:id: the source and, when connected, the state of the link. */
export const sourceDetailSchema = sourceSchema.extend({
  connected: z.boolean(),
  connection: sourceConnectionSchema.nullable(),
  webhooks: z.array(sourceWebhookSchema),
  backfill: sourceBackfillSchema.nullable(),
  reconcile: sourceReconcileSchema.nullable(),
});
export type SourceDetail = z.infer<typeof sourceDetailSchema>;

export const backfillRequestSchema = z.object({ runWorkflows: z.boolean().optional() }).strict();

/** POST /api/v1/sources answers the source and, this once, the secret to paste into WooCommerce. */
export const sourceCreatedSchema = sourceSchema.extend({ secret: z.string() });

export const ingestResultSchema = z.object({
  received: z.boolean(),
  duplicate: z.boolean().optional(),
  topic: z.string().optional(),
  events: z.array(z.object({ id: z.string(), type: z.string() })),
});
