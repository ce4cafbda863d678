import type { Executor } from '../types.ts';

export const trigger: Executor<'trigger'> = async (_config, step) => ({
  kind: 'next',
  output: { eventId: step.event.id, type: step.event.type, subject: step.event.subject },
});
