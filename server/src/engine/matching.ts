import { SCHEDULE_EVENT, type EventEnvelope } from '@tripline/shared';
import { matches } from './logic.ts';

/**
 * Does a trigger's config accept this event? Returns undefined when it does, or the
 * reason it does not (shown by dry runs). The event type itself is matched by the index.
 */
export function matchesTrigger(config: Record<string, unknown>, event: EventEnvelope, scope: Record<string, unknown>, workflowId?: string): string | undefined {
  // A schedule trigger (its config has `cron`) listens to its own workflow's schedule.fired only.
  if (typeof config.cron === 'string') {
    if (event.type !== SCHEDULE_EVENT) return `the trigger runs on its schedule, not on ${event.type}`;
    if (workflowId !== undefined && event.data.workflowId !== workflowId) return `this schedule.fired is for workflow ${String(event.data.workflowId)}`;
    return undefined;
  }
  if (config.eventType !== event.type) return `the trigger listens to ${String(config.eventType)}, not ${event.type}`;
  if (event.type === 'inventory.threshold_crossed') {
    const d = event.data;
    if (config.threshold !== d.threshold || config.direction !== d.direction) {
      return `crossing ${String(d.direction)} ${String(d.threshold)} is not this trigger's ${String(config.direction)} ${String(config.threshold)}`;
    }
    if (config.sku && config.sku !== d.sku) return `SKU ${String(d.sku)} is not ${String(config.sku)}`;
    if (config.category && config.category !== d.category) return `category ${String(d.category)} is not ${String(config.category)}`;
  }
  if (config.filter !== undefined) {
    // A filter that throws on this event's data is a non-match for this event, not a
    // reason to fail (and retry) the processing of every event of the type.
    try {
      if (!matches(config.filter, scope)) return 'the trigger filter did not match';
    } catch (error) {
      return `the trigger filter could not be evaluated: ${(error as Error).message}`;
    }
  }
  return undefined;
}
