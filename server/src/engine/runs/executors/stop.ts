import type { Executor } from '../types.ts';

export const stop: Executor<'stop'> = async (config) => ({ kind: 'end', output: { reason: config.reason ?? 'stopped' } });
