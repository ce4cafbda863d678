import { z } from 'zod';
import { defineNode, text } from './define.ts';

export const stopNode = defineNode({
  type: 'stop',
  displayName: 'Stop',
  category: 'logic',
  description: 'Ends the run here, recording an optional reason.',
  configSchema: z.object({ reason: z.string().max(500).optional().meta({ title: 'Reason' }) }),
  defaults: {},
  inputs: ['in'],
  outputs: [],
  summary: (config) => text(config.reason) || 'end of the run',
});
