import { describe, expect, it } from 'vitest';
import { implicitOutput, nodeOutputs } from '../nodes/index.ts';
import type { WorkflowGraph } from './graph.ts';
import { validateGraph } from './validate.ts';

const cases = [
  { name: 'gold', rule: { '==': [{ var: 'customer.ltvTier' }, 'gold'] } },
  { name: 'silver', rule: { '==': [{ var: 'customer.ltvTier' }, 'silver'] } },
];

const withSwitch = (config: Record<string, unknown>, handles: string[]): WorkflowGraph => ({
  nodes: [
    { id: 't', type: 'trigger', config: { eventType: 'order.created' } },
    { id: 'sw', type: 'switch', config },
    ...handles.map((h) => ({ id: `to_${h}`, type: 'stop', config: {} })),
  ],
  edges: [{ id: 'e', source: 't', target: 'sw' }, ...handles.map((h) => ({ id: `e_${h}`, source: 'sw', target: `to_${h}`, sourceHandle: h }))],
});

const problemsOf = (graph: WorkflowGraph) => {
  const r = validateGraph(graph);
  return r.ok ? [] : r.problems;
};

describe('outputs by name', () => {
  it('a switch has an output per case, in order, then default; names as typed so far', () => {
    expect(nodeOutputs('switch', { cases })).toEqual(['gold', 'silver', 'default']);
    expect(nodeOutputs('switch', { cases: [{ name: 'a' }, { name: 'a' }, { name: '9bad' }, null] })).toEqual(['a', 'default']);
    expect(nodeOutputs('switch', {})).toEqual(['default']);
  });

  it('for_each, wait_for_event and the steps with an error output name theirs', () => {
    expect(nodeOutputs('for_each', {})).toEqual(['each', 'done']);
    expect(nodeOutputs('wait_for_event', {})).toEqual(['received', 'timeout']);
    for (const type of ['webhook', 'campaign', 'http_request', 'code'] as const) expect(nodeOutputs(type, {})).toEqual(['out', 'error']);
  });

  it('an edge without a handle leaves from `out` when the only other output is `error`', () => {
    expect(implicitOutput('webhook', {})).toBe('out');
    expect(implicitOutput('condition', {})).toBeUndefined();
    expect(implicitOutput('switch', { cases })).toBeUndefined();
  });
});

describe('validateGraph with the new steps', () => {
  it('accepts edges from every case and from default', () => {
    expect(problemsOf(withSwitch({ cases }, ['gold', 'silver', 'default']))).toEqual([]);
  });

  it('names the node when an edge leaves from a case that does not exist (any more)', () => {
    expect(problemsOf(withSwitch({ cases }, ['gold', 'bronze']))).toContainEqual({
      edgeId: 'e_bronze',
      nodeId: 'sw',
      message: '"sw" has no output "bronze"; outputs: gold or silver or default',
    });
  });

  it('refuses duplicate case names, a case called default, and a case rule outside the allow-list', () => {
    const problems = problemsOf(
      withSwitch({ cases: [{ name: 'a', rule: true }, { name: 'a', rule: true }, { name: 'default', rule: true }, { name: 'b', rule: { method: [1, 'toString'] } }] }, []),
    );
    expect(problems.map((p) => [p.nodeId, p.field, p.message])).toEqual([
      ['sw', 'cases.2.name', '"default" is the output taken when no case matches; name the case otherwise'],
      ['sw', 'cases.3.rule.method', 'operator "method" is not allowed'],
      ['sw', 'cases.1.name', 'two cases are named "a"; case names are unique'],
    ]);
  });

  it('checks for_each items with the rule checker and caps maxItems at 1,000', () => {
    const graph: WorkflowGraph = {
      nodes: [
        { id: 't', type: 'trigger', config: { eventType: 'order.created' } },
        { id: 'each', type: 'for_each', config: { items: { var: '__proto__' }, maxItems: 1001 } },
      ],
      edges: [{ id: 'e', source: 't', target: 'each' }],
    };
    expect(problemsOf(graph).map((p) => p.field)).toEqual(expect.arrayContaining(['items.var', 'maxItems']));
  });

  it('keeps graphs saved before webhooks had an error output valid', () => {
    const graph: WorkflowGraph = {
      nodes: [
        { id: 't', type: 'trigger', config: { eventType: 'order.created' } },
        { id: 'w', type: 'webhook', config: { endpointId: 'ep_1' } },
        { id: 's', type: 'stop', config: {} },
        { id: 'oops', type: 'stop', config: {} },
      ],
      edges: [
        { id: 'e1', source: 't', target: 'w' },
        { id: 'e2', source: 'w', target: 's' },
        { id: 'e3', source: 'w', target: 'oops', sourceHandle: 'error' },
      ],
    };
    expect(problemsOf(graph)).toEqual([]);
  });
});
