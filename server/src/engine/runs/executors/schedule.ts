import type { Executor } from '../types.ts';

/** A schedule trigger's step: which due time started the run. */
export const schedule: Executor<'schedule'> = async (config, step) => ({
  kind: 'next',
  output: { eventId: step.event.id, type: step.event.type, scheduledFor: step.event.data.scheduledFor, cron: config.cron, timezone: step.event.data.timezone },
});
