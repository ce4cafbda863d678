import { z } from 'zod';
import { defineNode } from './define.ts';

const NINETY_DAYS = 90 * 24 * 3600;

export const delayNode = defineNode({
  type: 'delay',
  displayName: 'Delay',
  category: 'logic',
  description: 'Waits for a duration, or until a time (ISO-8601, or a {{template}} over the event), then continues.',
  configSchema: z
    .object({
      seconds: z.number().int().min(1).max(NINETY_DAYS).optional().meta({ title: 'Wait (seconds)' }),
      until: z.string().max(200).optional().meta({ title: 'Or until', description: 'ISO time or {{data.field}}' }),
    })
    .refine((c) => (c.seconds === undefined) !== (c.until === undefined), {
      message: 'set either a duration in seconds or an until time, not both',
      path: ['seconds'],
    }),
  defaults: { seconds: 3600 },
  inputs: ['in'],
  outputs: ['out'],
});
