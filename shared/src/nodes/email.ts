import { z } from 'zod';
import { defineNode, text } from './define.ts';
import { templateField } from './fields.ts';

/**
 * The most addresses one email step may send to (To and Cc together, after the templates
 * are rendered): a workflow that fans a message out to a customer list should loop, and
 * a template gone wrong should fail the step, not mail a thousand people.
 */
export const EMAIL_MAX_RECIPIENTS = 20;

const addresses = (title: string, description: string) =>
  templateField(2000).meta({ title, description: `${description}; comma-separated, {{templates}} allowed` });

export const emailNode = defineNode({
  type: 'email',
  displayName: 'Send email',
  category: 'action',
  description:
    'Sends an email through the SMTP server set under Settings → Email (subject and body are {{templates}} over the event and vars), retried on temporary SMTP failures; `error` when the server refuses it for good.',
  configSchema: z.object({
    to: addresses('To', 'recipients').min(1, 'enter at least one recipient'),
    cc: addresses('Cc', 'copies').optional(),
    replyTo: templateField(300).optional().meta({ title: 'Reply-To', description: 'an address; {{templates}} allowed' }),
    subject: templateField(500).min(1, 'enter a subject').meta({ title: 'Subject', description: '{{templates}} allowed' }),
    text: templateField(100_000).min(1, 'enter the message').meta({ title: 'Text', description: 'the plain-text body; {{templates}} allowed', format: 'textarea' }),
    html: templateField(200_000).optional().meta({ title: 'HTML', description: 'optional HTML body; {{templates}} allowed (values are HTML-escaped)', format: 'textarea' }),
  }),
  defaults: { to: '', subject: '', text: '' },
  inputs: ['in'],
  outputs: ['out', 'error'],
  summary(config) {
    const to = text(config.to);
    return to ? `to ${to}`.slice(0, 60) : 'enter a recipient';
  },
});
