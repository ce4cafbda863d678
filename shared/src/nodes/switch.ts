import { z } from 'zod';
import { ruleSchema } from '../logic/rule.ts';
import { defineNode, text } from './define.ts';
import { identifier } from './fields.ts';

export const SWITCH_DEFAULT = 'default';
const MAX_CASES = 20;

const caseSchema = z.object({
  name: identifier.refine((n) => n !== SWITCH_DEFAULT, '"default" is the output taken when no case matches; name the case otherwise').meta({ title: 'Name' }),
  rule: ruleSchema.meta({ title: 'When' }),
});

/** The case names of a config as typed so far: valid-looking names only, first of each. */
function caseNames(config: Record<string, unknown>): string[] {
  const cases = Array.isArray(config.cases) ? config.cases : [];
  const names: string[] = [];
  for (const c of cases) {
    const name = (c as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && identifier.safeParse(name).success && name !== SWITCH_DEFAULT && !names.includes(name)) names.push(name);
  }
  return names;
}

export const switchNode = defineNode({
  type: 'switch',
  displayName: 'Switch',
  category: 'logic',
  description: 'Follows the first case whose json-logic rule is true; `default` when none is.',
  configSchema: z.object({
    cases: z
      .array(caseSchema)
      .min(1, 'add at least one case')
      .max(MAX_CASES, `at most ${MAX_CASES} cases`)
      .superRefine((cases, ctx) => {
        const seen = new Set<string>();
        cases.forEach((c, i) => {
          if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `two cases are named "${c.name}"; case names are unique` });
          seen.add(c.name);
        });
      })
      .meta({ title: 'Cases', description: 'checked in order; the first true one is followed', format: 'switch-cases' }),
  }),
  defaults: { cases: [{ name: 'big_order', rule: { '>=': [{ var: 'data.total' }, 100] } }] },
  inputs: ['in'],
  outputs: [SWITCH_DEFAULT],
  outputsFor: (config) => [...caseNames(config), SWITCH_DEFAULT],
  summary(config) {
    const names = Array.isArray(config.cases) ? config.cases.map((c: unknown) => text((c as { name?: unknown } | null)?.name, '?')) : [];
    return names.length ? `${names.join(' / ')} / ${SWITCH_DEFAULT}` : 'add a case';
  },
  // the executor records {case}: the output it took
  takenOutput: (output) => (typeof output.case === 'string' ? output.case : undefined),
});
