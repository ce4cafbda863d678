import { z } from 'zod';
import { defineNode, text } from './define.ts';
import { identifier, templateField } from './fields.ts';

/** Why a blocks field is refused: it must be a JSON list of at most 50 objects (Slack's limit). */
export function blocksProblem(json: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return 'Block Kit blocks as JSON, e.g. [{"type": "section", "text": {"type": "mrkdwn", "text": "…"}}]';
  }
  if (!Array.isArray(value) || !value.every((b) => b !== null && typeof b === 'object' && !Array.isArray(b))) return 'a JSON list of blocks (objects)';
  if (value.length > 50) return 'Slack takes at most 50 blocks';
  return undefined;
}

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
    blocks: templateField(50_000)
      .superRefine((json, ctx) => {
        const problem = blocksProblem(json);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .meta({ title: 'Blocks', description: 'optional Block Kit blocks: a JSON list, {{templates}} inside its strings', format: 'textarea' }),
  }),
  defaults: { credential: '', text: '' },
  inputs: ['in'],
  outputs: ['out', 'error'],
  summary(config) {
    const t = text(config.text);
    return t ? t.slice(0, 60) : 'enter the message';
  },
});
