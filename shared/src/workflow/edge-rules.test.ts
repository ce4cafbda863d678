import { describe, expect, it } from 'vitest';
import { checkNewEdge, type EdgeLike } from './edge-rules.ts';
import { validateGraph } from './validate.ts';

const nodes = [
  { id: 't', type: 'trigger', config: { eventType: 'order.created' } },
  { id: 'sw', type: 'switch', config: { cases: [{ name: 'gold', rule: true }, { name: 'silver', rule: true }] } },
  { id: 'w', type: 'webhook', config: { endpointId: 'ep' } },
  { id: 'a', type: 'stop', config: {} },
  { id: 'b', type: 'stop', config: {} },
];

const refusal = (edge: EdgeLike, edges: EdgeLike[] = []) => {
  const v = checkNewEdge(edge, nodes, edges);
  return v.ok ? undefined : v.message;
};

describe('checkEdge: the rules one connection must satisfy', () => {
  it('offers a switch output per case and default, and refuses a name that is not a case', () => {
    expect(checkNewEdge({ source: 'sw', sourceHandle: 'gold', target: 'a' }, nodes, [])).toEqual({ ok: true, handle: 'gold' });
    expect(checkNewEdge({ source: 'sw', sourceHandle: 'default', target: 'a' }, nodes, []).ok).toBe(true);
    expect(refusal({ source: 'sw', sourceHandle: 'bronze', target: 'a' })).toBe('"sw" has no output "bronze"; outputs: gold or silver or default');
  });

  it('lets a webhook connect its error output besides out, an output to several steps (a fork) but to each once, and reads a missing handle as its only main output', () => {
    const edges = [{ source: 'w', sourceHandle: 'out', target: 'a' }];
    expect(checkNewEdge({ source: 'w', sourceHandle: 'error', target: 'b' }, nodes, edges).ok).toBe(true);
    expect(checkNewEdge({ source: 'w', sourceHandle: 'out', target: 'b' }, nodes, edges).ok).toBe(true);
    expect(refusal({ source: 'w', sourceHandle: 'out', target: 'a' }, edges)).toBe('output "out" of "w" is already connected to "a"');
    // a stored edge without a handle means `out`: it takes that output too
    expect(refusal({ source: 'w', sourceHandle: 'out', target: 'a' }, [{ source: 'w', target: 'a' }])).toBe('output "out" of "w" is already connected to "a"');
  });

  it('refuses edges into a trigger, onto the same step, from a step with no outputs, to unknown steps and into a loop', () => {
    expect(refusal({ source: 'w', sourceHandle: 'out', target: 't' })).toBe('a trigger cannot have incoming connections');
    expect(refusal({ source: 'sw', sourceHandle: 'gold', target: 'sw' })).toBe('a step cannot connect to itself');
    expect(refusal({ source: 'a', target: 'b' })).toBe('"a" has no output ""; outputs: none (this step ends the run)');
    expect(refusal({ source: 'w', sourceHandle: 'out', target: 'ghost' })).toBe('edge points to a missing node "ghost"');
    expect(checkNewEdge({ source: 'w', sourceHandle: 'out', target: 'x' }, [...nodes, { id: 'x', type: 'teleport', config: {} }], [])).toMatchObject({ ok: false, rule: 'unknown_type', nodeId: 'x' });
    const chain = [{ source: 'sw', sourceHandle: 'gold', target: 'w' }];
    expect(refusal({ source: 'w', sourceHandle: 'out', target: 'sw' }, chain)).toBe('that would make a loop; workflows must not contain cycles');
  });

  it('gives publish the same verdict the canvas gives while dragging', () => {
    const graph = (edges: { id: string; source: string; target: string; sourceHandle?: string }[]) => ({
      nodes: nodes.map((n, i) => ({ ...n, position: { x: i * 300, y: 0 } })),
      edges: [{ id: 'e0', source: 't', target: 'sw', sourceHandle: 'out' }, ...edges],
    });
    const bad = [
      { id: 'e1', source: 'sw', sourceHandle: 'bronze', target: 'a' },
      { id: 'e2', source: 'w', sourceHandle: 'out', target: 't' },
    ];
    const check = validateGraph(graph(bad));
    expect(check.ok).toBe(false);
    const messages = check.ok ? [] : check.problems.filter((p) => p.edgeId).map((p) => p.message);
    expect(messages).toEqual(bad.map((e) => refusal(e)));
  });
});
