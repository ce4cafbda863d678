import { z } from 'zod';
import { sku } from './common.ts';
import { defineEvent } from './define.ts';

export const productStockChanged = defineEvent({
  type: 'product.stock_changed',
  origin: 'raw',
  description: 'The stock level of a product changed. `quantity` is the new level, not a delta.',
  schema: z.object({
    sku,
    quantity: z.number().int(),
    category: z.string().max(200).optional(),
    name: z.string().max(500).optional(),
  }),
  example: { sku: 'TEE-BLK-M', quantity: 8, category: 'apparel', name: 'Black tee, M' },
  subject: (d) => d.sku,
  subjectKind: 'sku',
});

export const inventoryThresholdCrossed = defineEvent({
  type: 'inventory.threshold_crossed',
  origin: 'derived',
  description:
    'Stock of a SKU crossed a threshold a workflow watches. Edge-triggered: fires once at the crossing and re-arms when stock crosses back.',
  schema: z.object({
    sku,
    threshold: z.number().int(),
    direction: z.enum(['below', 'above']),
    previousQuantity: z.number().int(),
    quantity: z.number().int(),
    category: z.string().max(200).optional(),
  }),
  example: { sku: 'TEE-BLK-M', threshold: 10, direction: 'below' as const, previousQuantity: 12, quantity: 8, category: 'apparel' },
  subject: (d) => d.sku,
  subjectKind: 'sku',
});
