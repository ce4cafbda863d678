import { z } from 'zod';
import { eventTypes } from '../events/catalog.ts';
import { ruleSchema } from '../logic/rule.ts';
import { defineNode } from './define.ts';

export const triggerConfig = z
  .object({
    eventType: z.enum(eventTypes as [string, ...string[]]).meta({ title: 'Event type' }),
    filter: ruleSchema.optional().meta({ title: 'Only when', description: 'json-logic over the event envelope' }),
    threshold: z.number().int().optional().meta({ title: 'Threshold', description: 'inventory.threshold_crossed only' }),
    direction: z.enum(['below', 'above']).optional().meta({ title: 'Direction', description: 'inventory.threshold_crossed only' }),
    sku: z.string().max(200).optional().meta({ title: 'SKU', description: 'inventory.threshold_crossed only; empty: every SKU' }),
    category: z.string().max(200).optional().meta({ title: 'Category', description: 'inventory.threshold_crossed only' }),
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
});
