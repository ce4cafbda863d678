import { SWITCH_DEFAULT } from '@tripline/shared';
import { matches } from '../../logic.ts';
import type { Executor } from '../types.ts';

/** Follows the first case whose rule is true (cases in their order), else `default`. */
export const switchStep: Executor<'switch'> = async (config, step) => {
  for (const c of config.cases) {
    if (matches(c.rule, step.scope)) return { kind: 'next', handle: c.name, output: { case: c.name } };
  }
  return { kind: 'next', handle: SWITCH_DEFAULT, output: { case: SWITCH_DEFAULT } };
};
