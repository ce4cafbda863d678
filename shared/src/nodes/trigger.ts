import { z } from 'zod';
import { eventTypes } from '../events/catalog.ts';
import { ruleSchema } from '../logic/rule.ts';
import { defineNode, text } from './define.ts';

/** Fields that only mean something for threshold triggers: the inspector shows them only then. */
const INVENTORY = { eventType: 'inventory.threshold_crossed' };

export const triggerConfig = z
  .object({
    eventType: z.enum(eventTypes as [string, ...string[]]).meta({ title: 'Event type' }),
    filter: ruleSchema.optional().meta({ title: 'Only when', description: 'json-logic over the event envelope' }),
    threshold: z.number().int().optional().meta({ title: 'Threshold', description: 'stock level that is crossed', visibleWhen: INVENTORY }),
    direction: z.enum(['below', 'above']).optional().meta({ title: 'Direction', description: 'fire when stock goes below or above', visibleWhen: INVENTORY }),
    sku: z.string().max(200).optional().meta({ title: 'SKU', description: 'empty: every SKU', visibleWhen: INVENTORY }),
    category: z.string().max(200).optional().meta({ title: 'Category', description: 'empty: every category', visibleWhen: INVENTORY }),
  })
  .superRefine((c, ctx) => {
    if (c.eventType !== 'inventory.threshold_crossed') return;
    if (c.threshold === undefined) ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'a stock threshold is required' });
    if (c.direction === undefined) ctx.addIssue({ code: 'custom', path: ['direction'], message: 'choose below or above' });
  });

export const triggerNode = defineNode({
  type: 'trigger',
  displayName: 'When an event arrives',
  category: 'trigger',
  description: 'Starts the workflow for each event of the chosen type that passes the optional filter.',
  configSchema: triggerConfig,
  defaults: { eventType: 'order.created' },
  inputs: [],
  outputs: ['out'],
  summary(config, words) {
    let event = text(config.eventType, 'choose an event');
    // a stock trigger's key settings read as the rule they are: "TEE-BLK-M < 10"
    if (event === 'inventory.threshold_crossed' && typeof config.threshold === 'number' && config.direction) {
      event = `${text(config.sku) || text(config.category) || 'any SKU'} ${config.direction === 'above' ? '>' : '<'} ${config.threshold}`;
    }
    return config.filter === undefined ? event : `${event}, if ${words.rule(config.filter, 40)}`;
  },
});
