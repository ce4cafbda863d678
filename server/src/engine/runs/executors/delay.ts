import { renderTemplate } from '../../template.ts';
import type { Executor } from '../types.ts';

export const delay: Executor<'delay'> = async (config, step) => {
  const resumeAt = step.resumed
    ? new Date(String((step.resumed.output as { resumeAt: string }).resumeAt))
    : config.seconds !== undefined
      ? new Date(Date.now() + config.seconds * 1000)
      : new Date(String(renderTemplate(config.until ?? '', step.scope)));
  if (Number.isNaN(resumeAt.getTime())) return { kind: 'fail', error: `"until" did not give a valid time: ${config.until}` };
  const output = { resumeAt: resumeAt.toISOString() };
  if (step.mode.kind === 'dry' || resumeAt.getTime() <= Date.now()) return { kind: 'next', output };
  return { kind: 'wait', output, resumeAt };
};
