import { describe, expect, it } from 'vitest';
import { composeGraphChanges, type StoredGraphChange } from './audit-diff.ts';

const change = (c: Partial<StoredGraphChange['nodes']> & { edgesAdded?: StoredGraphChange['edges']['added']; edgesRemoved?: StoredGraphChange['edges']['removed'] }): StoredGraphChange => ({
  nodes: { added: c.added ?? [], removed: c.removed ?? [], changed: c.changed ?? [] },
  edges: { added: c.edgesAdded ?? [], removed: c.edgesRemoved ?? [] },
  moved: [],
});

describe('composeGraphChanges (an editing session read as its net change)', () => {
  it('keeps the first before and the last after of a value, and drops a value that came back', () => {
    const net = composeGraphChanges([
      change({ changed: [{ id: 'is_gold', type: 'condition', changes: [{ path: 'config.rule', before: 'a', after: 'b' }, { path: 'label', before: 'x', after: 'y' }] }] }),
      change({ changed: [{ id: 'is_gold', type: 'condition', changes: [{ path: 'config.rule', before: 'b', after: 'c' }, { path: 'label', before: 'y', after: 'x' }] }] }),
    ]);
    expect(net.nodes.changed).toEqual([{ id: 'is_gold', type: 'condition', changes: [{ path: 'config.rule', before: 'a', after: 'c' }] }]);
  });

  it('cancels a step added then removed, and an edge connected then disconnected', () => {
    const edge = { source: 'a', sourceHandle: 'out', target: 'b' };
    const net = composeGraphChanges([
      change({ added: [{ id: 'b', type: 'webhook' }], edgesAdded: [edge] }),
      change({ changed: [{ id: 'b', type: 'webhook', changes: [{ path: 'config.endpointId', before: '', after: 'ep' }] }] }),
      change({ removed: [{ id: 'b', type: 'webhook' }], edgesRemoved: [edge] }),
    ]);
    expect(net.nodes).toEqual({ added: [], removed: [], changed: [] });
    expect(net.edges).toEqual({ added: [], removed: [] });
  });
});
