import { z } from 'zod';
import { currency, id, money } from './common.ts';
import { defineEvent } from './define.ts';

export const promotionRuleQualified = defineEvent({
  type: 'promotion.rule_qualified',
  origin: 'raw',
  description: "A customer's cart or order qualified for a promotion rule.",
  schema: z.object({ ruleId: id, customerId: id, cartId: id.optional(), campaignId: id.optional() }),
  example: { ruleId: 'rule_bogo_tees', customerId: 'cus_42', cartId: 'cart_9001', campaignId: 'cmp_bogo' },
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});

export const discountApplied = defineEvent({
  type: 'discount.applied',
  origin: 'raw',
  description: 'A discount was applied to an order or cart.',
  schema: z.object({ code: z.string().max(200), customerId: id, orderId: id.optional(), amount: money, currency: currency.optional() }),
  example: { code: 'WELCOME10', customerId: 'cus_42', orderId: '727', amount: 12.99, currency: 'EUR' },
  subject: (d) => d.customerId,
  subjectKind: 'customer',
});
