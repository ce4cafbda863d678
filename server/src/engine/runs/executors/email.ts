import { EMAIL_MAX_RECIPIENTS, type NodeConfig } from '@tripline/shared';
import { z } from 'zod';
import type { EmailMessage } from '../../../notify/smtp.ts';
import { escapeHtml, renderText } from '../../template.ts';
import type { Executor } from '../types.ts';
import { notifyStep } from './notify-step.ts';

const address = z.email();

/** "a@x.com, {{vars.buyer}}" rendered and split into addresses; the first bad one is the error. */
function addressList(template: string | undefined, scope: unknown, field: string): { ok: true; list: string[] } | { ok: false; error: string } {
  if (template === undefined) return { ok: true, list: [] };
  const list = renderText(template, scope)
    .split(/[,;]/)
    .map((a) => a.trim())
    .filter(Boolean);
  const bad = list.find((a) => !address.safeParse(a).success);
  if (bad !== undefined) return { ok: false, error: `"${field}" gave "${bad}", which is not an email address` };
  return { ok: true, list };
}

/** The message as the step's config renders over the run's scope, or why it cannot be sent. */
export function renderEmail(config: NodeConfig<'email'>, scope: unknown): { ok: true; message: EmailMessage } | { ok: false; error: string } {
  const to = addressList(config.to, scope, 'to');
  if (!to.ok) return to;
  if (to.list.length === 0) return { ok: false, error: '"to" gave no address' };
  const cc = addressList(config.cc, scope, 'cc');
  if (!cc.ok) return cc;
  const count = to.list.length + cc.list.length;
  if (count > EMAIL_MAX_RECIPIENTS) return { ok: false, error: `${count} recipients; an email step sends to at most ${EMAIL_MAX_RECIPIENTS} (loop with for_each to write to many people)` };
  const replyTo = config.replyTo === undefined ? null : renderText(config.replyTo, scope).trim() || null;
  if (replyTo !== null && !address.safeParse(replyTo).success) return { ok: false, error: `"replyTo" gave "${replyTo}", which is not an email address` };
  // Header injection: a subject is one line whatever the data holds.
  const subject = renderText(config.subject, scope).replace(/[\r\n]+/g, ' ').trim();
  if (!subject) return { ok: false, error: '"subject" rendered empty' };
  return {
    ok: true,
    message: {
      to: to.list,
      cc: cc.list,
      replyTo,
      subject,
      text: renderText(config.text, scope),
      html: config.html === undefined ? null : renderText(config.html, scope, escapeHtml),
    },
  };
}

/**
 * Sends an email through the configured SMTP server, durably (server/src/notify/): the
 * step waits while the message is sent and retried, then continues on `out` or fails to
 * `error`. A dry run shows the rendered message and sends nothing.
 */
export const email: Executor<'email'> = async (config, step) => {
  const rendered = renderEmail(config, step.scope);
  if (!rendered.ok) return { kind: 'fail', error: rendered.error };
  const { message } = rendered;
  if (step.mode.kind === 'dry') return { kind: 'next', handle: 'out', output: { dryRun: true, wouldSend: message } };
  return notifyStep(step, 'email', { ...message }, { to: message.to, cc: message.cc, subject: message.subject });
};
