import { describe, expect, it } from 'vitest';
import { codeInputPaths, variablesAt } from './variables.ts';

const node = (id: string, type: string, config: Record<string, unknown>) => ({ id, type, data: { config } });
const edge = (source: string, target: string, sourceHandle = 'out') => ({ source, target, sourceHandle });

const nodes = [
  node('trigger', 'trigger', { eventType: 'order.paid' }),
  node('who', 'lookup', { entity: 'customer', key: '{{data.customerId}}', saveAs: 'buyer' }),
  node('score', 'code', { source: 'return 1;', saveAs: 'score' }),
  node('each', 'for_each', { items: { var: 'data.items' } }),
  node('per_item', 'transform', { fields: { line: '{{item.sku}}' } }),
  node('notify', 'webhook', { endpointId: 'x' }),
  node('on_fail', 'stop', {}),
  node('other_branch', 'transform', { fields: { elsewhere: 'x' } }),
];
const edges = [edge('trigger', 'who'), edge('who', 'score'), edge('score', 'each'), edge('each', 'per_item', 'each'), edge('each', 'notify', 'done'), edge('notify', 'on_fail', 'error'), edge('trigger', 'other_branch')];
const paths = (id: string) => variablesAt(id, nodes, edges).map((v) => v.path);

describe('variables a step can read', () => {
  it("offers the trigger event's fields from its schema, the customer, and what the steps before saved", () => {
    const at = paths('notify');
    expect(at).toEqual(expect.arrayContaining(['data.orderId', 'data.total', 'data.items', 'customer.ltvTier', 'vars.score', 'vars.buyer.ltvTier']));
    // not from another branch, and no loop item after the loop
    expect(at).not.toContain('vars.elsewhere');
    expect(at).not.toContain('item');
  });

  it("offers the loop's item with the fields of the list's items inside the each branch", () => {
    expect(paths('per_item')).toEqual(expect.arrayContaining(['item', 'item.sku', 'item.quantity', 'index']));
  });

  it('offers error.* only after an error output', () => {
    expect(paths('on_fail')).toEqual(expect.arrayContaining(['error.message', 'error.nodeId']));
    expect(paths('notify')).not.toContain('error.message');
  });

  it('maps them to what a code step reads from input', () => {
    const code = codeInputPaths(variablesAt('notify', nodes, edges)).map((v) => v.path);
    expect(code).toEqual(expect.arrayContaining(['input.event.data.total', 'input.vars.score', 'input.customer.ltvTier']));
  });
});
