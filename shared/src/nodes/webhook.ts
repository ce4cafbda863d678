import { z } from 'zod';
import { defineNode, text } from './define.ts';

export const webhookNode = defineNode({
  type: 'webhook',
  displayName: 'Send webhook',
  category: 'action',
  description: 'Delivers the event (and any fields set earlier) to an endpoint, signed with Standard Webhooks, with retries.',
  configSchema: z.object({ endpointId: z.string().min(1, 'choose an endpoint').max(100).meta({ title: 'Endpoint', format: 'endpoint-id' }) }),
  defaults: { endpointId: '' },
  inputs: ['in'],
  outputs: ['out', 'error'],
  summary(config, names) {
    const id = text(config.endpointId);
    return id ? `to ${names.endpointName(id) ?? id}` : 'choose an endpoint';
  },
});
