import { z } from 'zod';
import { id, lifecycleStage, money } from './common.ts';
import { defineEvent } from './define.ts';

const customerData = z.object({
  customerId: id,
  email: z.email().max(320).optional(),
  name: z.string().max(500).optional(),
  tags: z.array(z.string().max(100)).max(100).optional(),
});

export const customerCreated = defineEvent({
  type: 'customer.created',
  origin: 'raw',
  description: 'A customer account was created.',
  schema: customerData,
  example: { customerId: 'cus_42', email: 'ada@example.com', name: 'Ada Lovelace' },
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});

export const customerUpdated = defineEvent({
  type: 'customer.updated',
  origin: 'raw',
  description: 'A customer changed their details.',
  schema: customerData,
  example: { customerId: 'cus_42', email: 'ada@lovelace.dev', name: 'Ada Lovelace', tags: ['wholesale'] },
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});

export const customerLtvTierChanged = defineEvent({
  type: 'customer.ltv_tier_changed',
  origin: 'derived',
  description: 'Lifetime value (paid minus refunded) moved the customer into another tier. Tier boundaries are a setting.',
  schema: z.object({
    customerId: id,
    from: z.string().max(100),
    to: z.string().max(100),
    ltv: money,
    /** The customer's segments at the change, so conditions need no lookup. */
    segments: z.array(z.string().max(100)).max(100).optional(),
  }),
  example: { customerId: 'cus_42', from: 'silver', to: 'gold', ltv: 529.9, segments: ['newsletter'] },
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});

export const customerLifecycleStageChanged = defineEvent({
  type: 'customer.lifecycle_stage_changed',
  origin: 'derived',
  description:
    'The customer moved along new → active → repeat → loyal, or became at_risk / lapsed after days without an order (fired on schedule).',
  schema: z.object({ customerId: id, from: lifecycleStage, to: lifecycleStage }),
  example: { customerId: 'cus_42', from: 'active' as const, to: 'repeat' as const },
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});

export const customerSegmentChanged = defineEvent({
  type: 'customer.segment_changed',
  origin: 'derived',
  description: 'The customer entered or left a segment (segments are json-logic rules over customer state).',
  schema: z.object({ customerId: id, segment: z.string().max(100), change: z.enum(['added', 'removed']) }),
  example: { customerId: 'cus_42', segment: 'wholesale', change: 'added' as const },
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});
