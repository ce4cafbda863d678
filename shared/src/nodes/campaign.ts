import { z } from 'zod';
import { defineNode, text } from './define.ts';

export const campaignNode = defineNode({
  type: 'campaign',
  displayName: 'Campaign',
  category: 'action',
  description: 'Activates or deactivates a campaign, optionally for a limited time or for one audience segment.',
  configSchema: z.object({
    campaignId: z.string().min(1, 'choose a campaign').max(100).meta({ title: 'Campaign', format: 'campaign-id' }),
    action: z.enum(['activate', 'deactivate']).meta({ title: 'Action' }),
    durationSeconds: z.number().int().min(60).max(365 * 24 * 3600).optional().meta({ title: 'For', format: 'duration-seconds' }),
    segment: z.string().max(100).optional().meta({ title: 'Audience segment', format: 'segment' }),
    target: z.enum(['everyone', 'customer']).optional().meta({ title: 'Who', description: "customer: the run's customer gets the campaign's personal coupon in the store (default everyone)" }),
  }),
  defaults: { campaignId: '', action: 'activate' },
  inputs: ['in'],
  outputs: ['out', 'error'],
  summary(config, names) {
    const id = text(config.campaignId);
    const name = id ? (names.campaignName(id) ?? id) : 'choose a campaign';
    return `${config.action === 'deactivate' ? 'pause' : 'activate'} ${name}`;
  },
});
