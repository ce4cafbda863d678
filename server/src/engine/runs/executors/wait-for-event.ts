import type { EventEnvelope } from '@tripline/shared';
import { matches } from '../../logic.ts';
import type { Executor } from '../types.ts';
import { liveTx } from './step-mode.ts';

/** The key an arriving event is matched by (run_waits.correlation_key): the subject. */
export function correlationKey(event: Pick<EventEnvelope, 'subject'>): string | null {
  return event.subject ?? null;
}

/** Whether an arriving candidate event satisfies a waiting step (its `match`, or the same subject). */
export function waitMatches(config: { match?: unknown }, trigger: EventEnvelope, candidate: EventEnvelope): boolean {
  if (config.match === undefined || config.match === null) return candidate.subject !== null && candidate.subject === trigger.subject;
  return matches(config.match, { ...candidate, trigger });
}

/**
 * NOT WIRED YET: waiting durably for an event needs the redesigned loop (a run_waits row
 * written when the step parks, looked up by event type and correlation key when an event
 * arrives, a timeout job for `timeout`). Until then the step fails clearly.
 */
export const waitForEvent: Executor<'wait_for_event'> = async (config, step) => {
  if (!liveTx(step)) return { kind: 'next', handle: 'timeout', output: { dryRun: true, wouldWaitFor: config.eventType, correlationKey: correlationKey(step.event), timeoutSeconds: config.timeoutSeconds } };
  return { kind: 'fail', error: 'wait_for_event needs the new step loop, which this server does not have yet' };
};
