import { z } from 'zod';
import { defineNode } from './define.ts';

const fieldName = z
  .string()
  .regex(/^[A-Za-z_][\w]{0,63}$/, 'a field name: letters, digits and _')
  // "__proto__" matches the pattern; assigned as vars["__proto__"] it would swap the prototype of the run's vars.
  .refine((name) => !['__proto__', 'constructor', 'prototype'].includes(name), 'reserved name');

export const transformNode = defineNode({
  type: 'transform',
  displayName: 'Set fields',
  category: 'logic',
  description: 'Builds fields from {{templates}} over the event; later steps see them under vars.',
  configSchema: z.object({
    fields: z
      .record(fieldName, z.string().max(2000))
      .refine((f) => Object.keys(f).length <= 50, 'at most 50 fields')
      .meta({ title: 'Fields', description: 'name → template such as "{{data.customerId}}"', format: 'template-record' }),
  }),
  defaults: { fields: { customer: '{{data.customerId}}' } },
  inputs: ['in'],
  outputs: ['out'],
  summary: (config) => `set ${Object.keys((config.fields as object | undefined) ?? {}).join(', ') || 'fields'}`,
});
