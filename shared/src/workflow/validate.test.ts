import { describe, expect, it } from 'vitest';
import { validateGraph } from './validate.ts';

const withFilter = (filter: unknown) => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'product.stock_changed', filter } },
    { id: 'stop', type: 'stop', config: {} },
  ],
  edges: [{ id: 'e1', source: 'trigger', target: 'stop' }],
});
const problems = (filter: unknown, options?: { blankValues?: boolean }) => {
  const check = validateGraph(withFilter(filter), options);
  return check.ok ? [] : check.problems.map((p) => `${p.nodeId} ${p.field}: ${p.message}`);
};

describe('blank values in rules (walkthrough #16, point 1)', () => {
  it('a rule left blank by "+ Add a condition" is a problem on its node and field', () => {
    expect(problems({ '==': [{ var: 'data.sku' }, ''] })).toEqual([
      'trigger filter: “sku is …” has no value: type one, or remove the rule (to test for a missing value, choose “is not set”)',
    ]);
  });
  it('finds blanks inside groups, empty lists and rules without a field', () => {
    expect(problems({ and: [{ '>': [{ var: 'data.quantity' }, 3] }, { in: [{ var: 'data.sku' }, []] }, { '==': [{ var: '' }, 'x'] }] })).toHaveLength(2);
  });
  it('leaves complete rules and "is set" alone, and can be switched off for versions already published', () => {
    expect(problems({ and: [{ '==': [{ var: 'data.sku' }, 'TEE'] }, { '!!': { var: 'data.category' } }] })).toEqual([]);
    expect(problems({ '==': [{ var: 'data.sku' }, ''] }, { blankValues: false })).toEqual([]);
  });
});
