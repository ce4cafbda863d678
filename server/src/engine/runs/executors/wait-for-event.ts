import { eventCatalog, isEventType, subjectOf, type EventEnvelope } from '@tripline/shared';
import { toEnvelope } from '../../store-events.ts';
import { takeWait, waitExists } from '../../../db/runs.ts';
import { matches } from '../../logic.ts';
import type { Executor } from '../types.ts';
import { liveTx } from './step-mode.ts';

/**
 * The key an arriving event is looked up by (run_waits.correlation_key): the subject's id.
 * The index lookup may return waits about another kind of subject with the same id (a SKU
 * equal to a customer id); `waitMatches` drops those by comparing kinds.
 */
export function correlationKey(event: Pick<EventEnvelope, 'subject'>): string | null {
  return event.subject ?? null;
}

/**
 * Whether an arriving candidate event satisfies a waiting step: it must be about the same
 * subject as the run's event, kind and id (a stock event whose SKU equals a customer id is
 * about a product, not that customer); `match` narrows further, over the candidate with
 * the run's own event at `trigger`.
 */
export function waitMatches(config: { match?: unknown }, trigger: EventEnvelope, candidate: EventEnvelope): boolean {
  if (candidate.id === trigger.id) return false;
  const theirs = subjectOf(candidate);
  const ours = subjectOf(trigger);
  if (!theirs || !ours || theirs.kind !== ours.kind || theirs.key !== ours.key) return false;
  if (config.match === undefined || config.match === null) return true;
  return matches(config.match, { ...candidate, trigger });
}

/**
 * The awaited event as a dry run imagines it: the catalog example of its type, about the
 * run's subject (the ids the two events share, such as customerId or sku, taken from the
 * run's event), so later steps read `vars.received` as they would on the real branch.
 */
function simulatedEvent(type: string, trigger: EventEnvelope): EventEnvelope {
  const example = isEventType(type) ? (eventCatalog[type].example as Record<string, unknown>) : {};
  const data: Record<string, unknown> = { ...example };
  for (const key of ['customerId', 'sku', 'orderId', 'cartId']) if (key in data && trigger.data[key] !== undefined) data[key] = trigger.data[key];
  return toEnvelope({ type, data, source: 'dry-run' });
}

interface WaitOutput {
  eventType: string;
  correlationKey: string;
  expiresAt: string;
}

/**
 * Parks the run until an event of `eventType` about the run's subject (and passing
 * `match`) arrives, or `timeoutSeconds` pass. Parking writes a run_waits row (with the
 * slice) and a timer job; wait-matching.ts wakes the run with the event (`received`, the
 * event at vars.received), the timer with nothing, and then only the side that deletes the
 * wait row (after locking the run) takes its path. A dry run takes `timeout` at once.
 */
export const waitForEvent: Executor<'wait_for_event'> = async (config, step) => {
  const key = correlationKey(step.event);
  const tx = liveTx(step);
  if (!tx) {
    if (step.mode.kind === 'dry' && step.mode.waits === 'received') {
      const received = simulatedEvent(config.eventType, step.event);
      const matched = config.match === undefined || config.match === null || matches(config.match, { ...received, trigger: step.event });
      return { kind: 'next', handle: 'received', output: { dryRun: true, simulated: true, wouldWaitFor: config.eventType, correlationKey: key, handle: 'received', received, matchesRule: matched }, vars: { received } };
    }
    return { kind: 'next', handle: 'timeout', output: { dryRun: true, wouldWaitFor: config.eventType, correlationKey: key, timeoutSeconds: config.timeoutSeconds, handle: 'timeout' } };
  }
  if (step.resumed) {
    const waited = step.resumed.output as WaitOutput;
    const signal = step.resumed.signal;
    if (signal?.kind === 'received') {
      return { kind: 'next', handle: 'received', output: { ...waited, handle: 'received', receivedEventId: signal.event.id }, vars: { received: signal.event } };
    }
    const wait = { runId: step.run.id, nodeId: step.nodeId, iteration: step.iteration };
    if (await takeWait(tx, wait, true)) return { kind: 'next', handle: 'timeout', output: { ...waited, handle: 'timeout' } };
    // Woken early (a retry, a stray job): still waiting, and its timer is still queued.
    if (await waitExists(tx, wait)) return { kind: 'wait', output: waited };
    return { kind: 'fail', error: `the wait for ${waited.eventType} is gone (the run was changed while it waited)`, output: waited };
  }
  if (key === null) return { kind: 'fail', error: `this run's ${step.event.type} event has no subject, so there is nothing to match a ${config.eventType} event by` };
  const expiresAt = new Date(Date.now() + config.timeoutSeconds * 1000);
  const output: WaitOutput = { eventType: config.eventType, correlationKey: key, expiresAt: expiresAt.toISOString() };
  return { kind: 'wait', output, resumeAt: expiresAt, waitFor: { eventType: config.eventType, correlationKey: key, expiresAt, match: config.match } };
};
