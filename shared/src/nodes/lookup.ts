import { z } from 'zod';
import { defineNode, text } from './define.ts';
import { saveAsField, templateField } from './fields.ts';

export const lookupEntities = ['customer', 'product', 'campaign'] as const;

export const lookupNode = defineNode({
  type: 'lookup',
  displayName: 'Look up',
  category: 'data',
  description: 'Reads the current state of a customer, product or campaign into vars.<saveAs> (null when unknown).',
  configSchema: z.object({
    entity: z.enum(lookupEntities).meta({ title: 'Entity' }),
    key: templateField(500).min(1, 'enter a key, e.g. {{data.customerId}}').meta({ title: 'Key', description: 'customer id, SKU or campaign id; {{templates}} allowed', format: 'template' }),
    saveAs: saveAsField,
  }),
  defaults: { entity: 'customer', key: '{{data.customerId}}', saveAs: 'customer_now' },
  inputs: ['in'],
  outputs: ['out'],
  summary: (config) => `${text(config.entity, 'entity')} ${text(config.key)} → vars.${text(config.saveAs)}`,
});
