import { z } from 'zod';
import { defineNode, text } from './define.ts';
import { identifier, templateField } from './fields.ts';

export const slackNode = defineNode({
  type: 'slack',
  displayName: 'Post to Slack',
  category: 'action',
  description:
    'Posts a message to a Slack channel through an incoming webhook whose URL is kept as a credential (text and optional Block Kit blocks, {{templates}} in both), retried on 429 and 5xx; `error` when Slack refuses it for good.',
  configSchema: z.object({
    credential: identifier.meta({
      title: 'Slack webhook',
      description: 'a credential holding the incoming-webhook URL (https://hooks.slack.com/services/…)',
      format: 'credential-name',
    }),
    text: templateField(40_000).min(1, 'enter the message').meta({ title: 'Message', description: 'Slack mrkdwn; {{templates}} allowed', format: 'textarea' }),
    blocks: z
      .array(z.record(z.string(), z.unknown()))
      .max(50, 'Slack takes at most 50 blocks')
      .optional()
      .meta({ title: 'Blocks', description: 'optional Block Kit blocks (JSON); {{templates}} in their strings' }),
  }),
  defaults: { credential: '', text: '' },
  inputs: ['in'],
  outputs: ['out', 'error'],
  summary(config) {
    const t = text(config.text);
    return t ? t.slice(0, 60) : 'enter the message';
  },
});
