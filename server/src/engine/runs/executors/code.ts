import { CODE_DEFAULTS } from '@tripline/shared';
import { runCode } from '../../../sandbox/index.ts';
import type { Executor } from '../types.ts';

/**
 * Runs the step's JavaScript in the sandbox with `input` = {event, vars, customer} and keeps
 * its JSON result at vars.<saveAs>. Pure computation, so a dry run runs it too. A failure
 * (thrown error, CPU or memory limit) fails the step: the `error` output when connected.
 */
export const code: Executor<'code'> = async (config, step) => {
  const { vars, customer, ...event } = step.scope;
  const result = await runCode(config.source, { event, vars, customer: customer ?? null }, {
    timeoutMs: config.timeoutMs ?? CODE_DEFAULTS.timeoutMs,
    memoryBytes: (config.memoryMb ?? CODE_DEFAULTS.memoryMb) * 1024 * 1024,
  });
  if (!result.ok) return { kind: 'fail', error: result.error, output: { reason: result.reason } };
  return { kind: 'next', handle: 'out', output: { value: result.value }, vars: { [config.saveAs]: result.value } };
};
