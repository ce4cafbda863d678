import type { StepResult } from '@tripline/shared';

/**
 * One short line under a node in the run view saying what its step did, for the steps whose
 * status alone does not say it: how many times a step in a loop ran (and which iteration, when
 * steps carry one), which case a switch took, how many items a loop walked, what a wait waits
 * for and until when, what an HTTP request answered. Read from the recorded output's fields,
 * so a new step type that records them is described without code here.
 */
export function stepDetail(steps: readonly StepResult[]): string | undefined {
  const last = steps[steps.length - 1];
  if (!last) return undefined;
  const out = (typeof last.output === 'object' && last.output !== null ? last.output : {}) as Record<string, unknown>;
  const parts: string[] = [];
  if (steps.length > 1) parts.push(`${steps.length} iterations`);
  const iteration = (last as { iteration?: unknown }).iteration;
  // counted from 1, as the step list says it ("item 2 of 3"); the engine stores the index
  if (typeof iteration === 'number' && iteration >= 0 && last.status !== 'succeeded') parts.push(`${last.status} at item ${iteration + 1}`);
  if (typeof out.case === 'string') parts.push(`→ ${out.case}`);
  if (typeof out.count === 'number') parts.push(`${out.count} item${out.count === 1 ? '' : 's'}`);
  if (last.status === 'waiting') {
    const until = typeof out.expiresAt === 'string' ? out.expiresAt : typeof out.resumeAt === 'string' ? out.resumeAt : undefined;
    const what = typeof out.eventType === 'string' ? out.eventType : typeof out.wouldWaitFor === 'string' ? out.wouldWaitFor : undefined;
    parts.push(`waiting${what ? ` for ${what}` : ''}${until ? ` until ${new Date(until).toLocaleString()}` : ''}`);
  } else if (typeof out.wouldWaitFor === 'string') {
    parts.push(`would wait for ${out.wouldWaitFor}`);
  } else if (typeof out.handle === 'string' && typeof out.case !== 'string') {
    // A step that chose its way out (a wait: received or timeout).
    parts.push(`→ ${out.handle}`);
  }
  const response = out.response as { status?: unknown } | undefined;
  if (typeof response?.status === 'number') parts.push(`HTTP ${response.status}`);
  if (last.attempts !== undefined && last.attempts > 1) parts.push(`${last.attempts} attempts`);
  return parts.length ? parts.join(' · ') : undefined;
}
