import { renderTemplate } from '../../template.ts';
import type { Executor } from '../types.ts';

export const transform: Executor<'transform'> = async (config, step) => {
  const vars: Record<string, unknown> = {};
  for (const [name, template] of Object.entries(config.fields)) vars[name] = renderTemplate(template, step.scope);
  return { kind: 'next', output: vars, vars };
};
