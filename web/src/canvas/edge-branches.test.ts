import { describe, expect, it } from 'vitest';
import { branchEdges } from './edge-branches.ts';
import type { FlowEdge, FlowNode } from './flow-graph.ts';

const node = (id: string, type: string, config: Record<string, unknown> = {}): FlowNode => ({ id, type, position: { x: 0, y: 0 }, data: { config } });
const edge = (source: string, sourceHandle: string, target: string): FlowEdge => ({ id: `${source}-${sourceHandle}-${target}`, source, target, sourceHandle, targetHandle: 'in' });

describe('branch edges', () => {
  const cases = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((name) => ({ name, rule: { '==': [{ var: 'data.x' }, name] } }));
  const nodes = [node('sw', 'switch', { cases }), node('t', 'trigger', { eventType: 'order.paid' }), node('w', 'webhook', { endpointId: 'x' })];

  it("labels each switch case's edge with its name and gives each its own turning point", () => {
    const edges = branchEdges(nodes, [...cases.map((c) => edge('sw', c.name, `to-${c.name}`)), edge('sw', 'default', 'to-default')]);
    expect(edges.map((e) => e.label)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'default']);
    const turns = edges.map((e) => (e as { pathOptions?: { stepPosition?: number } }).pathOptions?.stepPosition);
    // eight outputs: four pairs mirrored around the middle (one goes up, one down), never all on one line
    expect(new Set(turns).size).toBe(4);
    expect(turns[0]).toBeLessThan(turns[3]!);
  });

  it('leaves single-output edges plain and labels error edges', () => {
    const [plain, error] = branchEdges(nodes, [edge('t', 'out', 'sw'), edge('w', 'error', 'x')]);
    expect(plain!.label).toBeUndefined();
    expect(error!.label).toBe('error');
  });

  it('numbers the edges of an output connected to several steps in canvas order: higher first, then further left', () => {
    const placed = (id: string, y: number, x = 300): FlowNode => ({ ...node(id, 'stop'), position: { x, y } });
    const fork = [node('t', 'trigger', { eventType: 'order.paid' }), placed('low', 200), placed('high', 0), placed('left', 200, 100)];
    const edges = branchEdges(fork, [
      { id: 'e1', source: 't', target: 'low', targetHandle: 'in' },
      { id: 'e2', source: 't', target: 'high', sourceHandle: 'out', targetHandle: 'in' },
      { id: 'e3', source: 't', target: 'left', targetHandle: 'in' },
    ]);
    expect(edges.map((e) => e.label)).toEqual(['branch 3', 'branch 1', 'branch 2']);
  });
});
