import { addEdge, applyEdgeChanges, applyNodeChanges } from '@xyflow/react';
import { isNodeType, nodeDefinitions, type WorkflowGraph } from '@tripline/shared';
import type { StoreApi } from 'zustand';
import { copySelection, pasteClipboard } from './clipboard.ts';
import { checkConnection } from './connection-rules.ts';
import { edgeId, isNote, NOTE_TYPE, nextNodeId, toFlow, toFlowNote, type FlowEdge, type FlowNode } from './flow-graph.ts';
import { layoutPositions } from './layout.ts';
import type { CanvasState } from './store.ts';
import type { Snapshot } from './store-history.ts';

type Set = StoreApi<CanvasState>['setState'];
type Get = StoreApi<CanvasState>['getState'];
type Commit = (next: Partial<Snapshot>, key?: string) => void;
type EditActions = Omit<CanvasState, 'nodes' | 'edges' | 'past' | 'future' | 'lastKey' | 'clipboard' | 'problems' | 'problemsByNode' | 'problemEdges' | 'warnings' | 'warningsByNode' | 'changeSeq' | 'highlight' | 'testRun' | 'testSample' | 'setTestRun' | 'setTestSample' | 'load' | 'beginDrag' | 'undo' | 'redo' | 'setHighlight'>;

const unselect = (nodes: FlowNode[]) => nodes.map((n) => (n.selected ? { ...n, selected: false } : n));

/** Changes to the graph itself: each goes through `commit`, so it is one undo step and re-validated. */
export function graphEdits(set: Set, get: Get, commit: Commit): EditActions {
  const removeElements = (nodeIds: ReadonlySet<string>, edgeIds: ReadonlySet<string>) => {
    const s = get();
    if (nodeIds.size === 0 && edgeIds.size === 0) return;
    commit({
      nodes: s.nodes.filter((n) => !nodeIds.has(n.id)),
      edges: s.edges.filter((e) => !edgeIds.has(e.id) && !nodeIds.has(e.source) && !nodeIds.has(e.target)),
    });
  };
  const edge = (source: string, handle: string | null | undefined, target: string): FlowEdge => ({ id: edgeId(source, handle, target), source, target, sourceHandle: handle ?? null, targetHandle: 'in' });

  return {
    replaceGraph: (graph: WorkflowGraph) => commit(toFlow(graph)),
    onNodesChange(changes) {
      // Only moves, selection and measuring arrive here: deletion goes through deleteSelected,
      // so one key press is one undo step rather than a node step plus an edge step.
      const kept = changes.filter((c) => c.type !== 'remove' && c.type !== 'add' && c.type !== 'replace');
      if (kept.length === 0) return;
      const moved = kept.some((c) => c.type === 'position' && c.position);
      set((s) => ({ nodes: applyNodeChanges(kept, s.nodes), changeSeq: moved ? s.changeSeq + 1 : s.changeSeq }));
    },
    onEdgesChange(changes) {
      const kept = changes.filter((c) => c.type === 'select');
      if (kept.length) set((s) => ({ edges: applyEdgeChanges(kept, s.edges) }));
    },
    connect(connection) {
      const s = get();
      if (!checkConnection(connection, s.nodes, s.edges).ok) return false;
      commit({ edges: addEdge({ ...edge(connection.source, connection.sourceHandle, connection.target), targetHandle: connection.targetHandle ?? 'in' }, s.edges) });
      return true;
    },
    setOutputTarget(source, handle, target) {
      const s = get();
      const others = s.edges.filter((e) => !(e.source === source && e.sourceHandle === handle));
      if (target === null) {
        if (others.length !== s.edges.length) commit({ edges: others });
        return;
      }
      if (!checkConnection({ source, sourceHandle: handle, target }, s.nodes, others).ok) return;
      commit({ edges: [...others, edge(source, handle, target)] });
    },
    setBranchTarget(source, handle, from, to) {
      const s = get();
      const others = from === null ? s.edges : s.edges.filter((e) => !(e.source === source && e.sourceHandle === handle && e.target === from));
      if (to === null) {
        if (others.length !== s.edges.length) commit({ edges: others });
        return;
      }
      if (!checkConnection({ source, sourceHandle: handle, target: to }, s.nodes, others).ok) return;
      commit({ edges: [...others, edge(source, handle, to)] });
    },
    addNode(type, position) {
      if (!isNodeType(type)) return undefined;
      const s = get();
      const id = nextNodeId(type, new Set(s.nodes.map((n) => n.id)));
      const node: FlowNode = { id, type, position, data: { config: structuredClone(nodeDefinitions[type].defaults) }, selected: true };
      commit({ nodes: [...unselect(s.nodes), node] });
      return id;
    },
    updateConfig(id, config, key) {
      commit({ nodes: get().nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, config } } : n)) }, key ?? `config:${id}`);
    },
    setLabel(id, label) {
      const nodes = get().nodes.map((n) => {
        if (n.id !== id) return n;
        const data = { ...n.data };
        if (label) data.label = label;
        else delete data.label;
        return { ...n, data };
      });
      commit({ nodes }, `label:${id}`);
    },
    addNote(position) {
      const s = get();
      const id = nextNodeId(NOTE_TYPE, new Set(s.nodes.map((n) => n.id)));
      commit({ nodes: [...unselect(s.nodes), { ...toFlowNote({ id, text: '', position }), selected: true }] });
      return id;
    },
    setNoteText(id, text) {
      commit({ nodes: get().nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, text } } : n)) }, `note:${id}`);
    },
    select(ids) {
      const wanted = new Set(ids);
      set((s) => ({
        nodes: s.nodes.map((n) => (Boolean(n.selected) === wanted.has(n.id) ? n : { ...n, selected: wanted.has(n.id) })),
        edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      }));
    },
    deleteSelected() {
      const s = get();
      removeElements(new Set(s.nodes.filter((n) => n.selected).map((n) => n.id)), new Set(s.edges.filter((e) => e.selected).map((e) => e.id)));
    },
    deleteNode: (id) => removeElements(new Set([id]), new Set()),
    copy() {
      const s = get();
      const clip = copySelection(s.nodes, s.edges);
      if (clip) set({ clipboard: clip });
      return clip;
    },
    paste(clip) {
      const s = get();
      const content = clip ?? s.clipboard;
      if (!content) return;
      const pasted = pasteClipboard(content, s.nodes);
      if (pasted.nodes.length === 0) return;
      commit({ nodes: [...unselect(s.nodes), ...pasted.nodes], edges: [...s.edges, ...pasted.edges] });
      // paste again → shifted again, like every editor does
      set({ clipboard: { nodes: pasted.nodes.map((n) => ({ ...n, selected: false })), edges: pasted.edges } });
    },
    autoLayout() {
      const s = get();
      // notes stay where people put them: they annotate a place, not a step
      const positions = layoutPositions(s.nodes.filter((n) => !isNote(n)), s.edges);
      commit({ nodes: s.nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })) });
    },
  };
}
