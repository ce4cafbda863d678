import { describe, expect, it } from 'vitest';
import { fieldsForEventType } from './fields.ts';
import { appendAt, describeRule, newRule, ruleToTree, treeToRule, updateAt, type Group } from './tree.ts';

const roundTrip = (rule: unknown) => treeToRule(ruleToTree(rule));

describe('rule ⇄ tree', () => {
  const shown: [string, unknown][] = [
    ['a single comparison', { '==': [{ var: 'data.to' }, 'gold'] }],
    ['every comparison operator', { and: ['==', '!=', '>', '>=', '<', '<='].map((op) => ({ [op]: [{ var: 'data.ltv' }, 500] })) }],
    ['all with a nested any', { and: [{ '==': [{ var: 'data.to' }, 'gold'] }, { or: [{ '>': [{ var: 'data.ltv' }, 1000] }, { '==': [{ var: 'data.from' }, 'silver'] }] }] }],
    ['not in the wholesale segment', { '!': { in: ['wholesale', { var: 'data.segments' }] } }],
    ['one of a list', { in: [{ var: 'data.status' }, ['shipped', 'delivered']] }],
    ['not one of a list', { '!': { in: [{ var: 'data.status' }, ['cancelled']] } }],
    ['is set / is not set', { or: [{ '!!': { var: 'data.email' } }, { '!': { var: 'data.name' } }] }],
    ['a negated group (none of)', { '!': { or: [{ '==': [{ var: 'data.to' }, 'gold'] }, { '==': [{ var: 'data.to' }, 'platinum'] }] } }],
    ['an empty group', { and: [] }],
    ['null and boolean literals', { and: [{ '==': [{ var: 'data.x' }, null] }, { '!=': [{ var: 'data.y' }, true] }] }],
  ];
  for (const [name, rule] of shown) {
    it(`shows ${name} as rules and writes it back unchanged`, () => {
      const tree = ruleToTree(rule);
      const hasRaw = (n: unknown): boolean =>
        typeof n === 'object' && n !== null && ((n as { kind: string }).kind === 'raw' || ((n as Group).children ?? []).some(hasRaw));
      expect(hasRaw(tree)).toBe(false);
      expect(treeToRule(tree)).toEqual(rule);
    });
  }

  const kept: [string, unknown][] = [
    ['arithmetic', { '>': [{ '+': [{ var: 'data.a' }, { var: 'data.b' }] }, 10] }],
    ['a var with a default', { '==': [{ var: ['data.to', 'bronze'] }, 'gold'] }],
    ['array quantifiers', { some: [{ var: 'data.items' }, { '>': [{ var: 'quantity' }, 5] }] }],
    ['a bare literal', true],
    ['if / then', { if: [{ var: 'data.x' }, 1, 2] }],
    ['two operators in one object', { '==': [1, 1], '!=': [1, 2] }],
    ['comparing two fields', { '==': [{ var: 'data.from' }, { var: 'data.to' }] }],
    ['a double negation of a group', { '!': { '!': { and: [] } } }],
  ];
  for (const [name, rule] of kept) {
    it(`keeps ${name} as raw logic, never lost`, () => {
      expect(roundTrip(rule)).toEqual(rule);
      expect(roundTrip({ and: [rule, { '==': [{ var: 'data.to' }, 'gold'] }] })).toEqual({ and: [rule, { '==': [{ var: 'data.to' }, 'gold'] }] });
    });
  }

  it('starts an empty builder from no rule', () => {
    expect(ruleToTree(undefined)).toMatchObject({ kind: 'group', combinator: 'and', children: [] });
    expect(treeToRule(ruleToTree(undefined))).toEqual({ and: [] });
  });

  it('turns a single condition into an all-group when a second rule is added', () => {
    const tree = appendAt(ruleToTree({ '==': [{ var: 'data.to' }, 'gold'] }), [], { ...newRule('data.ltv'), operator: '>', value: 500 });
    expect(treeToRule(tree)).toEqual({ and: [{ '==': [{ var: 'data.to' }, 'gold'] }, { '>': [{ var: 'data.ltv' }, 500] }] });
  });

  it('edits and removes nested rules by path', () => {
    let tree = ruleToTree({ and: [{ '==': [{ var: 'data.to' }, 'gold'] }, { or: [{ '>': [{ var: 'data.ltv' }, 1] }] }] });
    tree = updateAt(tree, [1, 0], { kind: 'rule', field: 'data.ltv', operator: '>=', value: 2 });
    expect(treeToRule(tree)).toEqual({ and: [{ '==': [{ var: 'data.to' }, 'gold'] }, { or: [{ '>=': [{ var: 'data.ltv' }, 2] }] }] });
    tree = updateAt(tree, [0], undefined);
    expect(treeToRule(tree)).toEqual({ and: [{ or: [{ '>=': [{ var: 'data.ltv' }, 2] }] }] });
  });

  it('describes a rule in words for the canvas', () => {
    expect(describeRule({ and: [{ '==': [{ var: 'data.to' }, 'gold'] }, { '!': { in: ['wholesale', { var: 'data.segments' }] } }] })).toBe(
      'to is gold and segments does not contain wholesale',
    );
  });
});

describe('event fields for pickers', () => {
  it('lists the data fields of the trigger event with their types', () => {
    const fields = fieldsForEventType('customer.ltv_tier_changed');
    const byPath = Object.fromEntries(fields.map((f) => [f.path, f]));
    expect(byPath['data.to']).toMatchObject({ type: 'string', required: true });
    expect(byPath['data.ltv']).toMatchObject({ type: 'number' });
    expect(byPath['subject']).toBeDefined();
  });

  it('offers enum values for enum fields', () => {
    const status = fieldsForEventType('order.fulfillment_updated').find((f) => f.path === 'data.status');
    expect(status?.enum).toEqual(['processing', 'shipped', 'delivered']);
  });

  it('falls back to envelope fields for an unknown event type', () => {
    expect(fieldsForEventType('nope').map((f) => f.path)).toEqual(['subject', 'source']);
  });
});
