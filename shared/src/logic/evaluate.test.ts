import fc from 'fast-check';
import jsonLogic from 'json-logic-js';
import { describe, expect, it } from 'vitest';
import { evaluateRule, RULE_BUDGET, RuleBudgetError, UnsafeRuleError } from './evaluate.ts';
import { ALLOWED_OPERATORS, checkRule } from './rule.ts';

const SEGMENTS = ['data', 'x', 'items', '0', '1', 'length'];
const path = fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 3 }).map((s) => s.join('.'));
const scalar = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 3 }), fc.boolean(), fc.constant(null));
const { rule } = fc.letrec<{ rule: unknown; args: unknown }>((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.record({ var: fc.oneof(path, fc.tuple(path, scalar)) }).map((r) => r as unknown),
    fc.tuple(fc.constantFrom(...ALLOWED_OPERATORS), tie('args')).map(([op, args]) => ({ [op]: args ?? null }) as unknown),
    fc.array(tie('rule'), { maxLength: 3 }),
  ),
  args: fc.oneof(tie('rule'), fc.array(tie('rule'), { maxLength: 3 })),
}));
const data = { data: { x: 3, items: [1, 'a', { x: 2 }], length: 2 }, x: 'abc', items: [[1, 2], [3]] };

function outcome(fn: () => unknown): { value?: unknown; threw?: true } {
  try {
    return { value: fn() };
  } catch {
    return { threw: true };
  }
}

describe('evaluateRule', () => {
  it('answers what json-logic-js answers for every rule the checker accepts', () => {
    fc.assert(
      fc.property(rule, (r) => {
        if (checkRule(r).length) return;
        const theirs = outcome(() => jsonLogic.apply(r as never, data));
        if (theirs.threw) return;
        expect(outcome(() => evaluateRule(r, data))).toEqual(theirs);
      }),
      { numRuns: Number(process.env.RULE_PROPERTY_RUNS ?? 3000) },
    );
  });

  it('stops a rule that doubles an array at run time, with a budget error', () => {
    // Built past the checker (as a rule stored before this check would be): the runtime stops it.
    const doubling = { reduce: [Array(40).fill(1), { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]] };
    expect(() => evaluateRule(structuredClone(doubling), {})).toThrow(UnsafeRuleError);
    const viaData = { reduce: [{ var: 'data.items' }, { merge: [{ var: 'accumulator' }, { var: 'current' }] }, []] };
    expect(() => evaluateRule(viaData, { data: { items: Array(RULE_BUDGET.maxArrayItems + 1).fill(1) } })).toThrow(RuleBudgetError);
  });

  it('never reads through the prototype chain, even for a path the checker let through', () => {
    expect(evaluateRule({ var: 'data.map' }, { data: [] })).toBeNull();
    expect(evaluateRule({ var: 'data.x.length' }, { data: { x: 'abc' } })).toBe(3);
  });
});

describe('checkRule cost and paths', () => {
  it('refuses the doubling reduce, naming the merge', () => {
    const problems = checkRule({ reduce: [Array(40).fill(1), { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [1]] });
    expect(problems).toEqual([expect.objectContaining({ path: ['reduce', 1, 'merge'], message: expect.stringMatching(/accumulator more than once/) })]);
  });

  it('refuses nested iteration over event arrays whose estimate is over budget, naming the node', () => {
    const inner = { some: [{ var: 'items' }, { '==': [{ var: '' }, 1] }] };
    const problems = checkRule({ some: [{ var: 'data.a' }, { some: [{ var: 'b' }, inner] }] });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toEqual(['some', 1, 'some']);
    expect(problems[0]!.message).toMatch(/steps per evaluation/);
  });

  it('accepts an ordinary filter over an order\'s items', () => {
    expect(checkRule({ some: [{ var: 'data.items' }, { '>': [{ var: 'price' }, 100] }] })).toEqual([]);
  });

  it('refuses a computed var path, naming it', () => {
    expect(checkRule({ var: [{ var: 'data.p' }] })).toEqual([expect.objectContaining({ path: ['var', 0], message: expect.stringMatching(/written out/) })]);
    expect(checkRule({ var: ['data.p', { var: 'data.q' }] })).toEqual([]);
  });
});
