import { z } from 'zod';
import { ruleSchema } from '../logic/rule.ts';
import { defineNode, text } from './define.ts';

export const FOR_EACH_LIMIT = 1000;

export const forEachNode = defineNode({
  type: 'for_each',
  displayName: 'For each',
  category: 'flow',
  description: 'Runs the `each` branch once per item of a list, in order, with `item` and `index` in scope; then continues on `done`.',
  configSchema: z.object({
    items: ruleSchema.meta({ title: 'Items', description: 'the list to walk: a path such as data.items, or json-logic giving a list', format: 'list-expression' }),
    maxItems: z.number().int().min(1).max(FOR_EACH_LIMIT).optional().meta({ title: 'At most', description: `items per run (default 100, limit ${FOR_EACH_LIMIT}); more is a step error` }),
  }),
  defaults: { items: { var: 'data.items' } },
  inputs: ['in'],
  outputs: ['each', 'done'],
  summary(config) {
    const path = (config.items as { var?: unknown } | undefined)?.var;
    return `each of ${text(path, 'a list')}`;
  },
});
