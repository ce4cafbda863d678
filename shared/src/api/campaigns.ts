import { z } from 'zod';
import { ruleSchema } from '../logic/rule.ts';

/**
 * What a campaign changes in a connected WooCommerce store while it is active (issue 24
 * point 6): a coupon (personal, for the customer a run activates it for, when the step's
 * target is `customer`; shared when it has a fixed code and is activated for everyone), and
 * a sale on SKUs or a category. Deactivation reverts both.
 */
export const campaignStoreEffectsSchema = z
  .object({
    sourceId: z.string().min(1, 'choose a connected store').max(100),
    coupon: z
      .object({
        discountType: z.enum(['percent', 'fixed_cart', 'fixed_product']),
        amount: z.number().positive().max(1_000_000),
        expiresInDays: z.number().int().min(1).max(3650),
        code: z.string().trim().min(1).max(100).optional(),
        usageLimitPerUser: z.number().int().min(1).max(1000).optional(),
        minimumAmount: z.number().nonnegative().optional(),
        productSkus: z.array(z.string().min(1).max(200)).max(100).optional(),
      })
      .refine((c) => c.discountType !== 'percent' || c.amount <= 100, { path: ['amount'], message: 'a percent discount is at most 100' })
      .optional(),
    sale: z
      .object({
        skus: z.array(z.string().min(1).max(200)).min(1).max(1000).optional(),
        categoryId: z.number().int().positive().optional(),
        salePrice: z.number().nonnegative().optional(),
        percentOff: z.number().gt(0).lt(100).optional(),
      })
      .refine((s) => (s.skus === undefined) !== (s.categoryId === undefined), { message: 'give either skus or a categoryId' })
      .refine((s) => (s.salePrice === undefined) !== (s.percentOff === undefined), { message: 'give either a salePrice or a percentOff' })
      .optional(),
  })
  .refine((e) => e.coupon !== undefined || e.sale !== undefined, { message: 'give a coupon, a sale, or both' });
export type CampaignStoreEffects = z.infer<typeof campaignStoreEffectsSchema>;

export const campaignKinds = ['bogo', 'percent_off', 'free_shipping', 'custom'] as const;

export const campaignInputSchema = z.object({
  name: z.string().trim().min(1, 'a campaign needs a name').max(200),
  kind: z.enum(campaignKinds),
  description: z.string().max(2000).optional(),
  schedule: z.object({ startsAt: z.iso.datetime({ offset: true }).optional(), endsAt: z.iso.datetime({ offset: true }).optional() }).optional(),
  audience: z.object({ segment: z.string().max(100).optional() }).optional(),
  /** Coupons and sales in a connected WooCommerce store while the campaign is active. */
  storeEffects: campaignStoreEffectsSchema.optional(),
});

export const campaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(campaignKinds),
  status: z.enum(['active', 'inactive', 'scheduled']),
  description: z.string().nullable(),
  schedule: z.record(z.string(), z.unknown()).nullable(),
  audience: z.record(z.string(), z.unknown()).nullable(),
  activeUntil: z.string().nullable(),
  storeEffects: campaignStoreEffectsSchema.nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Campaign = z.infer<typeof campaignSchema>;

export const campaignChangeSchema = z.object({ durationSeconds: z.number().int().min(60).max(365 * 86400).optional() });

export const campaignActivationSchema = z.object({
  id: z.string(),
  action: z.enum(['activate', 'deactivate']),
  runId: z.string().nullable(),
  userId: z.string().nullable(),
  actor: z.string().nullable(),
  customerId: z.string().nullable(),
  segment: z.string().nullable(),
  until: z.string().nullable(),
  createdAt: z.string(),
});

export const segmentInputSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, _ and -'),
  description: z.string().max(500).optional(),
  rule: ruleSchema,
});



export const campaignStoreChangeSchema = z.object({
  id: z.string(),
  kind: z.enum(['coupon', 'sale']),
  activationId: z.string(),
  sourceId: z.string(),
  customerId: z.string().nullable(),
  /** What the campaign asks for now, and what the store has. */
  wanted: z.enum(['applied', 'reverted']),
  status: z.enum(['pending', 'applied', 'failed', 'reverted']),
  /** What was written: the coupon {id, code, expiresAt}, or the products on sale. */
  result: z.record(z.string(), z.unknown()).nullable(),
  /** The sale fields as they were before (what a revert writes back). */
  before: z.array(z.record(z.string(), z.unknown())).nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  revertedBy: z.string().nullable(),
  appliedAt: z.string().nullable(),
  revertedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type CampaignStoreChange = z.infer<typeof campaignStoreChangeSchema>;
