import { z } from 'zod';
import { ruleSchema } from '../logic/rule.ts';
import { defineNode } from './define.ts';

export const conditionNode = defineNode({
  type: 'condition',
  displayName: 'Condition',
  category: 'logic',
  description: 'Follows the true or the false branch depending on a json-logic rule over the event.',
  configSchema: z.object({ rule: ruleSchema.meta({ title: 'Rule' }) }),
  defaults: { rule: { '==': [{ var: 'data.to' }, 'gold'] } },
  inputs: ['in'],
  outputs: ['true', 'false'],
  summary: (config, words) => words.rule(config.rule),
  // the executor records {result}: the branch it took
  takenOutput: (output) => (typeof output.result === 'boolean' ? String(output.result) : undefined),
});
