import type { NodeConfig } from '@tripline/shared';
import { renderText } from '../../template.ts';
import type { Executor } from '../types.ts';
import { notifyStep } from './notify-step.ts';

/** Every string inside the blocks rendered as a template; structure and other values as they are. */
function renderDeep(value: unknown, scope: unknown): unknown {
  if (typeof value === 'string') return renderText(value, scope);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, scope));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, scope)]));
  return value;
}

export function renderSlack(config: NodeConfig<'slack'>, scope: unknown) {
  return { credential: config.credential, text: renderText(config.text, scope), blocks: config.blocks ? (renderDeep(JSON.parse(config.blocks), scope) as unknown[]) : null };
}

/**
 * Posts to a Slack incoming webhook (its URL is the credential's value, never in the
 * workflow or the record), durably like the email step: the step waits while the message
 * is sent and retried (429, 5xx, network), then continues on `out` or fails to `error`
 * (another 4xx, the SSRF guard). A dry run shows the rendered message and posts nothing.
 */
export const slack: Executor<'slack'> = async (config, step) => {
  const message = renderSlack(config, step.scope);
  if (!message.text.trim()) return { kind: 'fail', error: '"text" rendered empty' };
  if (step.mode.kind === 'dry') return { kind: 'next', handle: 'out', output: { dryRun: true, wouldPost: message } };
  return notifyStep(step, 'slack', { ...message }, { credential: config.credential, text: message.text.slice(0, 200) });
};
