import { evaluate, truthy } from '../../logic.ts';
import type { Executor } from '../types.ts';

export const condition: Executor<'condition'> = async (config, step) => {
  const value = evaluate(config.rule, step.scope);
  const result = truthy(value);
  return { kind: 'next', handle: result ? 'true' : 'false', output: { result } };
};
