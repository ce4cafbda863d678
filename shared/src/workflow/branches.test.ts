import { describe, expect, it } from 'vitest';
import { forkBranchNumbers } from './branches.ts';
import { validateGraph } from './validate.ts';
import type { WorkflowGraph } from './graph.ts';

const at = (y: number, x = 300) => ({ x, y });
const node = (id: string, type: string, config: Record<string, unknown>, y = 0, x = 300) => ({ id, type, config, position: at(y, x) });
const trigger = node('t', 'trigger', { eventType: 'order.created' }, 0, 0);
const stop = (id: string, y = 0, x = 600) => node(id, 'stop', {}, y, x);
const edge = (source: string, target: string, sourceHandle?: string) => ({ id: `${source}-${target}`, source, target, ...(sourceHandle ? { sourceHandle } : {}) });
const problems = (graph: WorkflowGraph) => {
  const check = validateGraph(graph);
  return check.ok ? [] : check.problems.map((p) => ({ nodeId: p.nodeId, message: p.message }));
};

describe('forks: an output leading to several steps', () => {
  it('orders the targets by canvas order (higher first, then further left), whatever order the edges were drawn in', () => {
    const graph = { nodes: [trigger, stop('low', 200), stop('high', 0), stop('left', 200, 100)], edges: [edge('t', 'low'), edge('t', 'high'), edge('t', 'left')] };
    const check = validateGraph(graph);
    expect(check.ok && check.graph.next.get('t')?.get('out')).toEqual(['high', 'left', 'low']);
    const numbers = forkBranchNumbers(new Map(graph.nodes.map((n) => [n.id, n])), graph.edges, () => 'out');
    expect(Object.fromEntries(numbers)).toEqual({ 't-high': { branch: 1, of: 3 }, 't-left': { branch: 2, of: 3 }, 't-low': { branch: 3, of: 3 } });
  });

  it('refuses branches that meet again, naming the step where they meet', () => {
    const graph = {
      nodes: [trigger, node('a', 'delay', { seconds: 1 }, 0), node('b', 'delay', { seconds: 1 }, 200), stop('end')],
      edges: [edge('t', 'a'), edge('t', 'b'), edge('a', 'end'), edge('b', 'end')],
    };
    expect(problems(graph)).toEqual([{ nodeId: 'end', message: 'the branches "a" and "b" that start at "t" meet again at this step; each branch keeps to its own steps (connect a copy of this step instead)' }]);
  });

  it('refuses a fork inside a for_each body or on its outputs, naming the step', () => {
    const loop = node('loop', 'for_each', { items: '{{data.items}}' }, 0);
    const inBody = {
      nodes: [trigger, loop, node('d', 'delay', { seconds: 1 }), stop('x', 0), stop('y', 200)],
      edges: [edge('t', 'loop'), edge('loop', 'd', 'each'), edge('d', 'x'), edge('d', 'y')],
    };
    expect(problems(inBody)).toEqual([{ nodeId: 'd', message: 'output "out" leads to 2 steps inside the loop "loop"; branches cannot start inside a for_each\'s "each" steps (fork before the loop)' }]);
    const onDone = { nodes: [trigger, loop, stop('x', 0), stop('y', 200)], edges: [edge('t', 'loop'), edge('loop', 'x', 'done'), edge('loop', 'y', 'done')] };
    expect(problems(onDone)).toEqual([{ nodeId: 'loop', message: 'the loop\'s "done" output leads to 2 steps; a for_each output leads to one step (fork after a step of its own)' }]);
  });

  it('accepts forks that stay apart, nested forks, and one step reached from both sides of a condition', () => {
    const graph = {
      nodes: [trigger, node('c', 'condition', { rule: true }), node('a', 'delay', { seconds: 1 }, 0), node('b', 'delay', { seconds: 1 }, 200), stop('a1', 0), stop('a2', 100), stop('end', 300)],
      edges: [edge('t', 'c'), edge('c', 'a', 'true'), edge('c', 'b', 'true'), edge('a', 'a1'), edge('a', 'a2'), edge('b', 'end'), edge('c', 'end', 'false')],
    };
    expect(problems(graph)).toEqual([]);
  });
});
