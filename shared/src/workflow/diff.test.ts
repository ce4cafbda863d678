import { describe, expect, it } from 'vitest';
import { diffGraphs, equal } from './diff.ts';
import type { WorkflowGraph } from './graph.ts';

const base: WorkflowGraph = {
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'customer.ltv_tier_changed' }, position: { x: 0, y: 0 } },
    { id: 'cond', type: 'condition', config: { rule: { '==': [{ var: 'data.to' }, 'gold'] } }, position: { x: 200, y: 0 } },
    { id: 'vip', type: 'campaign', config: { campaignId: 'c1', action: 'activate' }, position: { x: 400, y: 0 } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'cond' },
    { id: 'e2', source: 'cond', target: 'vip', sourceHandle: 'true' },
  ],
};

describe('diffGraphs', () => {
  it('finds nothing between a graph and a copy of it', () => {
    const d = diffGraphs(base, structuredClone(base));
    expect(d.same).toBe(true);
    expect(d.moved).toEqual([]);
  });

  it('reports added and removed nodes and edges', () => {
    const after = structuredClone(base);
    after.nodes = after.nodes.filter((n) => n.id !== 'vip');
    after.nodes.push({ id: 'hook', type: 'webhook', config: { endpointId: 'ep1' } });
    after.edges = [after.edges[0]!, { id: 'e3', source: 'cond', target: 'hook', sourceHandle: 'true' }];
    const d = diffGraphs(base, after);
    expect(d.nodes.added.map((n) => n.id)).toEqual(['hook']);
    expect(d.nodes.removed.map((n) => n.id)).toEqual(['vip']);
    expect(d.edges.added.map((e) => e.id)).toEqual(['e3']);
    expect(d.edges.removed.map((e) => e.id)).toEqual(['e2']);
    expect(d.same).toBe(false);
  });

  it('reports config changes field by field', () => {
    const after = structuredClone(base);
    after.nodes[2]!.config = { campaignId: 'c1', action: 'deactivate', durationSeconds: 3600 };
    after.nodes[1]!.config = { rule: { '==': [{ var: 'data.to' }, 'platinum'] } };
    const d = diffGraphs(base, after);
    expect(d.nodes.changed).toEqual([
      { id: 'cond', type: 'condition', changes: [{ path: 'config.rule', before: { '==': [{ var: 'data.to' }, 'gold'] }, after: { '==': [{ var: 'data.to' }, 'platinum'] } }] },
      {
        id: 'vip',
        type: 'campaign',
        changes: [
          { path: 'config.action', before: 'activate', after: 'deactivate' },
          { path: 'config.durationSeconds', before: undefined, after: 3600 },
        ],
      },
    ]);
  });

  it('goes one level into object configs such as a transform’s fields', () => {
    const a: WorkflowGraph = { nodes: [{ id: 't', type: 'transform', config: { fields: { a: '{{data.x}}', b: '1' } } }], edges: [] };
    const b: WorkflowGraph = { nodes: [{ id: 't', type: 'transform', config: { fields: { a: '{{data.y}}', b: '1' } } }], edges: [] };
    expect(diffGraphs(a, b).nodes.changed[0]!.changes).toEqual([{ path: 'config.fields.a', before: '{{data.x}}', after: '{{data.y}}' }]);
  });

  it('treats a re-drawn edge with a new id as the same connection, and moves as no change', () => {
    const after = structuredClone(base);
    after.edges[1]!.id = 'redrawn';
    after.nodes[0]!.position = { x: 50, y: 80 };
    const d = diffGraphs(base, after);
    expect(d.same).toBe(true);
    expect(d.moved).toEqual(['trigger']);
  });

  it('sees a change of branch (true → false) as one edge removed and one added', () => {
    const after = structuredClone(base);
    after.edges[1]!.sourceHandle = 'false';
    const d = diffGraphs(base, after);
    expect(d.edges.added).toHaveLength(1);
    expect(d.edges.removed).toHaveLength(1);
  });

  it('compares JSON structurally, ignoring key order', () => {
    expect(equal({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(equal({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(equal([1, 2], [2, 1])).toBe(false);
    expect(equal(null, {})).toBe(false);
  });
});

describe('normalised before diffing (walkthrough #16)', () => {
  it('an edge without sourceHandle from a one-output step equals the editor’s "out", and an empty label is no label', () => {
    const seeded = {
      nodes: [
        { id: 't', type: 'trigger', config: { eventType: 'order.paid' } },
        { id: 's', type: 'stop', config: {}, label: '' },
      ],
      edges: [{ id: 'e1', source: 't', target: 's' }],
    };
    const edited = { nodes: [seeded.nodes[0]!, { id: 's', type: 'stop', config: {} }], edges: [{ id: 'e-t-out-s', source: 't', sourceHandle: 'out', target: 's' }] };
    expect(diffGraphs(seeded, edited).same).toBe(true);
  });
});
