import { describe, expect, it } from 'vitest';
import { checkConnection } from './connection-rules.ts';
import { toFlow, toGraph } from './flow-graph.ts';
import { layoutPositions } from './layout.ts';
import { createCanvasStore } from './store.ts';

function gold() {
  const store = createCanvasStore();
  const s = store.getState();
  const trigger = s.addNode('trigger', { x: 0, y: 0 })!;
  const cond = store.getState().addNode('condition', { x: 300, y: 0 })!;
  const vip = store.getState().addNode('campaign', { x: 600, y: 0 })!;
  return { store, trigger, cond, vip };
}

describe('connection rules (checked while dragging)', () => {
  const nodes = [
    { id: 't', type: 'trigger' },
    { id: 'c', type: 'condition' },
    { id: 'w', type: 'webhook' },
    { id: 'x', type: 'campaign' },
  ];
  it('accepts an output to an input', () => {
    expect(checkConnection({ source: 't', target: 'c', sourceHandle: 'out' }, nodes, [])).toMatchObject({ ok: true });
  });
  it('refuses edges into a trigger', () => {
    expect(checkConnection({ source: 'w', target: 't', sourceHandle: 'out' }, nodes, [])).toMatchObject({ ok: false, message: /trigger/ });
  });
  it('refuses self loops', () => {
    expect(checkConnection({ source: 'w', target: 'w', sourceHandle: 'out' }, nodes, []).ok).toBe(false);
  });
  it('lets an output lead to a second step (a fork), but not to the same step twice', () => {
    const edges = [{ source: 'c', target: 'w', sourceHandle: 'true' }];
    expect(checkConnection({ source: 'c', target: 'x', sourceHandle: 'true' }, nodes, edges).ok).toBe(true);
    expect(checkConnection({ source: 'c', target: 'w', sourceHandle: 'true' }, nodes, edges).ok).toBe(false);
    expect(checkConnection({ source: 'c', target: 'x', sourceHandle: 'false' }, nodes, edges).ok).toBe(true);
  });
  it('refuses cycles', () => {
    const edges = [
      { source: 'c', target: 'w', sourceHandle: 'true' },
      { source: 'w', target: 'x', sourceHandle: 'out' },
    ];
    expect(checkConnection({ source: 'x', target: 'c', sourceHandle: 'out' }, nodes, edges)).toMatchObject({ ok: false, message: /loop/ });
  });
  it('refuses handles a node does not have', () => {
    expect(checkConnection({ source: 'c', target: 'w', sourceHandle: 'maybe' }, nodes, []).ok).toBe(false);
  });
});

describe('canvas store', () => {
  it('adds nodes with readable ids and registry defaults, and validates as you build', () => {
    const { store, trigger, cond, vip } = gold();
    expect([trigger, cond, vip]).toEqual(['trigger', 'condition-1', 'campaign-1']);
    const s = store.getState();
    expect(s.nodes.find((n) => n.id === cond)!.data.config).toEqual({ rule: { '==': [{ var: 'data.to' }, 'gold'] } });
    // unconnected steps and the empty campaign are reported on their nodes
    expect(s.problemsByNode.get(cond)!.map((p) => p.message)).toContain('this step is not connected: nothing leads to it');
    expect(s.problemsByNode.get(vip)!.some((p) => p.field === 'campaignId')).toBe(true);
  });

  it('connects, refuses invalid connections, and becomes valid when complete', () => {
    const { store, trigger, cond, vip } = gold();
    expect(store.getState().connect({ source: trigger, sourceHandle: 'out', target: cond, targetHandle: 'in' })).toBe(true);
    expect(store.getState().connect({ source: cond, sourceHandle: 'true', target: vip, targetHandle: 'in' })).toBe(true);
    expect(store.getState().connect({ source: vip, sourceHandle: 'out', target: trigger, targetHandle: null })).toBe(false);
    store.getState().updateConfig(vip, { campaignId: 'camp_1', action: 'activate' });
    expect(store.getState().problems).toEqual([]);
    expect(toGraph(store.getState().nodes, store.getState().edges).edges).toEqual([
      { id: 'e-trigger-out-condition-1', source: 'trigger', target: 'condition-1', sourceHandle: 'out' },
      { id: 'e-condition-1-true-campaign-1', source: 'condition-1', target: 'campaign-1', sourceHandle: 'true' },
    ]);
  });

  it('undoes and redoes every kind of change, one step at a time', () => {
    const { store, trigger, cond } = gold();
    store.getState().connect({ source: trigger, sourceHandle: 'out', target: cond, targetHandle: 'in' });
    store.getState().undo();
    expect(store.getState().edges).toHaveLength(0);
    store.getState().undo();
    expect(store.getState().nodes.map((n) => n.id)).toEqual(['trigger', 'condition-1']);
    store.getState().redo();
    store.getState().redo();
    expect(store.getState().nodes).toHaveLength(3);
    expect(store.getState().edges).toHaveLength(1);
    expect(store.getState().future).toHaveLength(0);
  });

  it('groups typing in one field into one undo step', () => {
    const { store, vip } = gold();
    const before = store.getState().past.length;
    for (const id of ['c', 'ca', 'cam']) store.getState().updateConfig(vip, { campaignId: id, action: 'activate' }, `config:${vip}:campaignId`);
    expect(store.getState().past.length).toBe(before + 1);
    store.getState().undo();
    expect(store.getState().nodes.find((n) => n.id === vip)!.data.config.campaignId).toBe('');
  });

  it('deletes the selection with its edges as one undo step', () => {
    const { store, trigger, cond } = gold();
    store.getState().connect({ source: trigger, sourceHandle: 'out', target: cond, targetHandle: 'in' });
    store.getState().select([cond]);
    store.getState().deleteSelected();
    expect(store.getState().nodes.map((n) => n.id)).toEqual(['trigger', 'campaign-1']);
    expect(store.getState().edges).toEqual([]);
    store.getState().undo();
    expect(store.getState().nodes).toHaveLength(3);
    expect(store.getState().edges).toHaveLength(1);
  });

  it('copies and pastes steps with new ids, keeping edges between them, never a second trigger', () => {
    const { store, trigger, cond, vip } = gold();
    store.getState().connect({ source: cond, sourceHandle: 'false', target: vip, targetHandle: 'in' });
    store.getState().select([trigger, cond, vip]);
    store.getState().copy();
    store.getState().paste();
    const s = store.getState();
    expect(s.nodes.map((n) => n.id)).toEqual(['trigger', 'condition-1', 'campaign-1', 'condition-2', 'campaign-2']);
    expect(s.edges.map((e) => `${e.source}:${e.sourceHandle}->${e.target}`)).toContain('condition-2:false->campaign-2');
    expect(s.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(['condition-2', 'campaign-2']);
    expect(s.nodes.find((n) => n.id === 'condition-2')!.position).toEqual({ x: 340, y: 40 });
  });

  it('wires outputs from the inspector without a mouse', () => {
    const { store, trigger, cond, vip } = gold();
    store.getState().setOutputTarget(trigger, 'out', cond);
    store.getState().setOutputTarget(cond, 'true', vip);
    store.getState().setOutputTarget(cond, 'true', null);
    expect(store.getState().edges.map((e) => e.target)).toEqual([cond]);
  });

  it('adds, changes and removes one branch of an output from the inspector, leaving the others', () => {
    const { store, trigger, cond, vip } = gold();
    store.getState().setOutputTarget(trigger, 'out', cond);
    store.getState().setBranchTarget(trigger, 'out', null, vip);
    expect(store.getState().edges.map((e) => e.target)).toEqual([cond, vip]);
    // the same step twice from one output is refused
    store.getState().setBranchTarget(trigger, 'out', null, vip);
    expect(store.getState().edges).toHaveLength(2);
    store.getState().setBranchTarget(trigger, 'out', cond, null);
    expect(store.getState().edges.map((e) => e.target)).toEqual([vip]);
  });

  it('lays out left to right and records it as one undo step', () => {
    const { store, trigger, cond, vip } = gold();
    store.getState().setOutputTarget(trigger, 'out', cond);
    store.getState().setOutputTarget(cond, 'true', vip);
    store.getState().autoLayout();
    const x = (id: string) => store.getState().nodes.find((n) => n.id === id)!.position.x;
    expect(x(trigger)).toBeLessThan(x(cond));
    expect(x(cond)).toBeLessThan(x(vip));
    store.getState().undo();
    expect(x(vip)).toBe(600);
  });

  it('counts changes for autosave, including moves, but not selection', () => {
    const { store, cond } = gold();
    const seq = store.getState().changeSeq;
    store.getState().onNodesChange([{ type: 'select', id: cond, selected: true }]);
    expect(store.getState().changeSeq).toBe(seq);
    store.getState().onNodesChange([{ type: 'position', id: cond, position: { x: 1, y: 2 }, dragging: true }]);
    expect(store.getState().changeSeq).toBe(seq + 1);
  });

  it('highlights a dry-run path', () => {
    const { store, trigger, cond } = gold();
    store.getState().connect({ source: trigger, sourceHandle: 'out', target: cond, targetHandle: 'in' });
    store.getState().setHighlight({ path: ['trigger', 'condition-1'], steps: [{ nodeId: 'condition-1', nodeType: 'condition', status: 'succeeded', output: true }] });
    // edges followed are named by id (two outputs of one step may lead to the same next step)
    const edge = store.getState().edges.find((e) => e.source === 'trigger' && e.target === 'condition-1')!;
    expect(store.getState().highlight!.edges.has(edge.id)).toBe(true);
  });

  it('round-trips a stored graph, filling omitted single output handles', () => {
    const graph = {
      nodes: [
        { id: 't', type: 'trigger', config: { eventType: 'order.paid' }, position: { x: 0, y: 0 } },
        { id: 'w', type: 'webhook', config: { endpointId: 'ep' }, position: { x: 10, y: 0 }, label: 'Desk' },
      ],
      edges: [{ id: 'e', source: 't', target: 'w' }],
    };
    const flow = toFlow(graph);
    expect(flow.edges[0]!.sourceHandle).toBe('out');
    expect(toGraph(flow.nodes, flow.edges)).toEqual({ ...graph, edges: [{ id: 'e', source: 't', target: 'w', sourceHandle: 'out' }] });
  });

  it('lays out 500 nodes', () => {
    const nodes = Array.from({ length: 500 }, (_, i) => ({ id: `n${i}`, position: { x: 0, y: 0 } }));
    const edges = nodes.slice(1).map((n, i) => ({ source: `n${Math.floor(i / 2)}`, target: n.id }));
    expect(layoutPositions(nodes, edges).size).toBe(500);
  });
});
