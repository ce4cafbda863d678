import type { StepResult } from '@tripline/shared';

/**
 * What a step did in a test run, in words: a dry run sends nothing, so a webhook reads
 * "would send" rather than "succeeded", an HTTP request "would call", a campaign step
 * "would activate"; a wait "would wait" (timeout branch) or "received (simulated)".
 */
export function testOutcome(step: Pick<StepResult, 'nodeType' | 'status' | 'output'>): { label: string; tone: string } {
  const out = step.output && typeof step.output === 'object' ? (step.output as Record<string, unknown>) : undefined;
  if (step.status !== 'succeeded' || out?.dryRun !== true) return { label: step.status, tone: step.status };
  switch (step.nodeType) {
    case 'webhook':
      return { label: out.enabled === false ? 'would not send (endpoint disabled)' : 'would send', tone: 'simulated' };
    case 'http_request':
      return { label: 'would call', tone: 'simulated' };
    case 'campaign':
      return { label: `would ${typeof out.would === 'string' ? out.would : 'change the campaign'}`, tone: 'simulated' };
    case 'wait_for_event':
      return out.simulated ? { label: 'received (simulated)', tone: 'simulated' } : { label: 'would wait, then time out', tone: 'simulated' };
    default:
      return { label: 'would run', tone: 'simulated' };
  }
}
