import { z } from 'zod';
import { ruleSchema } from '../logic/rule.ts';

export const campaignKinds = ['bogo', 'percent_off', 'free_shipping', 'custom'] as const;

export const campaignInputSchema = z.object({
  name: z.string().trim().min(1, 'a campaign needs a name').max(200),
  kind: z.enum(campaignKinds),
  description: z.string().max(2000).optional(),
  schedule: z.object({ startsAt: z.iso.datetime({ offset: true }).optional(), endsAt: z.iso.datetime({ offset: true }).optional() }).optional(),
  audience: z.object({ segment: z.string().max(100).optional() }).optional(),
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
