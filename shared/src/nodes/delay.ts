import { z } from 'zod';
import { defineNode, humanSeconds } from './define.ts';

const NINETY_DAYS = 90 * 24 * 3600;

export const delayNode = defineNode({
  type: 'delay',
  displayName: 'Delay',
  category: 'logic',
  description: 'Waits for a duration, or until a time (ISO-8601, or a {{template}} over the event), then continues.',
  configSchema: z
    .object({
      seconds: z.number().int().min(1).max(NINETY_DAYS).optional().meta({ title: 'Wait', format: 'duration-seconds' }),
      until: z
        .string()
        .max(200)
        // a time the run can wait for, or a template that gives one per event; anything else fails every run
        .refine((v) => /\{\{[^{}]+\}\}/.test(v) || (/^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v))), {
          message: 'enter a time such as 2026-12-24T09:00:00Z, or a template such as {{data.deliverBy}}',
        })
        .optional()
        .meta({ title: 'Or until', description: 'ISO time or {{data.field}}' }),
    })
    .refine((c) => (c.seconds === undefined) !== (c.until === undefined), {
      message: 'set either a duration in seconds or an until time, not both',
      path: ['seconds'],
    }),
  defaults: { seconds: 3600 },
  inputs: ['in'],
  outputs: ['out'],
  summary(config) {
    if (typeof config.seconds === 'number') return `wait ${humanSeconds(config.seconds)}`;
    return typeof config.until === 'string' ? `until ${config.until}` : 'set a duration';
  },
});
