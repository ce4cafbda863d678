import type { StepResult } from '@tripline/shared';

/**
 * One short line under a node in the run view saying what its step did, for the steps
 * whose status alone does not say it: which case a switch took, how many times a step in a
 * loop ran, what a wait is waiting for, what an HTTP request answered.
 */
export function stepDetail(nodeType: string, steps: readonly StepResult[]): string | undefined {
  const last = steps[steps.length - 1];
  if (!last) return undefined;
  const out = (last.output ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  if (steps.length > 1) parts.push(`${steps.length} iterations`);
  switch (nodeType) {
    case 'switch':
      if (typeof out.case === 'string') parts.push(`→ ${out.case}`);
      break;
    case 'for_each':
      if (typeof out.count === 'number') parts.push(`${out.count} item${out.count === 1 ? '' : 's'}`);
      break;
    case 'wait_for_event':
    case 'delay': {
      const until = typeof out.expiresAt === 'string' ? out.expiresAt : typeof out.resumeAt === 'string' ? out.resumeAt : undefined;
      const what = typeof out.eventType === 'string' ? out.eventType : typeof out.wouldWaitFor === 'string' ? out.wouldWaitFor : undefined;
      if (last.status === 'waiting') parts.push(`waiting${what ? ` for ${what}` : ''}${until ? ` until ${new Date(until).toLocaleString()}` : ''}`);
      else if (typeof out.handle === 'string') parts.push(`→ ${out.handle}`);
      break;
    }
    case 'http_request': {
      const response = out.response as { status?: unknown } | undefined;
      if (typeof response?.status === 'number') parts.push(`HTTP ${response.status}`);
      break;
    }
  }
  return parts.length ? parts.join(' · ') : undefined;
}

/** The output a finished step left on, when it says so (switch cases), for highlighting the edge taken. */
export function handleTaken(nodeType: string, step: StepResult | undefined): string | undefined {
  const out = (step?.output ?? {}) as Record<string, unknown>;
  if (nodeType === 'switch' && typeof out.case === 'string') return out.case;
  return typeof out.handle === 'string' ? out.handle : undefined;
}
