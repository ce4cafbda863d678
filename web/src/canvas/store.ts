import {
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { isNodeType, nodeDefinitions, validateGraph, type DryRunResult, type GraphProblem, type StepResult, type WorkflowGraph } from '@tripline/shared';
import { createContext, useContext } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import { copySelection, pasteClipboard, type ClipboardContent } from './clipboard.ts';
import { checkConnection } from './connection-rules.ts';
import { edgeId, nextNodeId, toFlow, toGraph, type FlowEdge, type FlowNode } from './flow-graph.ts';
import { layoutPositions } from './layout.ts';

interface Snapshot {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

export interface RunHighlight {
  path: string[];
  steps: Map<string, StepResult>;
  /** "source→target" pairs walked by the run, for edge highlighting. */
  edges: Set<string>;
}

const HISTORY_LIMIT = 100;

export interface CanvasState {
  nodes: FlowNode[];
  edges: FlowEdge[];
  past: Snapshot[];
  future: Snapshot[];
  /** Consecutive edits with the same key (typing in one field) make one undo step. */
  lastKey: string | undefined;
  clipboard: ClipboardContent | undefined;
  problems: GraphProblem[];
  problemsByNode: Map<string, GraphProblem[]>;
  problemEdges: Set<string>;
  /** Bumps on every change that should be saved (moves included); the page compares it to the saved one. */
  changeSeq: number;
  highlight: RunHighlight | null;

  load: (graph: WorkflowGraph) => void;
  replaceGraph: (graph: WorkflowGraph) => void;
  onNodesChange: (changes: NodeChange<FlowNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<FlowEdge>[]) => void;
  beginDrag: () => void;
  connect: (connection: Connection) => boolean;
  /** Keyboard-friendly wiring: set (or clear, target null) what an output leads to. */
  setOutputTarget: (source: string, handle: string, target: string | null) => void;
  addNode: (type: string, position: { x: number; y: number }) => string | undefined;
  updateConfig: (id: string, config: Record<string, unknown>, key?: string) => void;
  setLabel: (id: string, label: string) => void;
  select: (ids: string[]) => void;
  deleteSelected: () => void;
  deleteNode: (id: string) => void;
  undo: () => void;
  redo: () => void;
  copy: () => ClipboardContent | undefined;
  paste: (clip?: ClipboardContent) => void;
  autoLayout: () => void;
  setHighlight: (result: DryRunResult | null) => void;
}

function problemsOf(nodes: FlowNode[], edges: FlowEdge[]) {
  const check = validateGraph(toGraph(nodes, edges));
  const problems = check.ok ? [] : check.problems;
  const problemsByNode = new Map<string, GraphProblem[]>();
  const problemEdges = new Set<string>();
  for (const p of problems) {
    if (p.nodeId) problemsByNode.set(p.nodeId, [...(problemsByNode.get(p.nodeId) ?? []), p]);
    if (p.edgeId) problemEdges.add(p.edgeId);
  }
  return { problems, problemsByNode, problemEdges };
}

/**
 * One store per open editor (so two canvases never share state), created by the page and
 * handed down through CanvasProvider. Every graph change goes through an action here, which
 * records undo history and re-validates: node components never mutate data themselves.
 */
export function createCanvasStore(initial: WorkflowGraph = { nodes: [], edges: [] }): StoreApi<CanvasState> {
  return createStore<CanvasState>((set, get) => {
    /** Applies a structural change: history entry, validation, change counter. */
    const commit = (next: Partial<Snapshot>, key?: string) => {
      const s = get();
      const snapshot: Snapshot = { nodes: s.nodes, edges: s.edges };
      const coalesce = key !== undefined && key === s.lastKey;
      const nodes = next.nodes ?? s.nodes;
      const edges = next.edges ?? s.edges;
      set({
        nodes,
        edges,
        past: coalesce ? s.past : [...s.past, snapshot].slice(-HISTORY_LIMIT),
        future: [],
        lastKey: key,
        changeSeq: s.changeSeq + 1,
        ...problemsOf(nodes, edges),
      });
    };

    const restore = (snapshot: Snapshot) => set((s) => ({ ...snapshot, changeSeq: s.changeSeq + 1, lastKey: undefined, ...problemsOf(snapshot.nodes, snapshot.edges) }));

    const removeElements = (nodeIds: Set<string>, edgeIds: Set<string>) => {
      const s = get();
      if (nodeIds.size === 0 && edgeIds.size === 0) return;
      commit({
        nodes: s.nodes.filter((n) => !nodeIds.has(n.id)),
        edges: s.edges.filter((e) => !edgeIds.has(e.id) && !nodeIds.has(e.source) && !nodeIds.has(e.target)),
      });
    };

    const flow = toFlow(initial);
    return {
      ...flow,
      past: [],
      future: [],
      lastKey: undefined,
      clipboard: undefined,
      changeSeq: 0,
      highlight: null,
      ...problemsOf(flow.nodes, flow.edges),

      load(graph) {
        const f = toFlow(graph);
        set({ ...f, past: [], future: [], lastKey: undefined, changeSeq: 0, highlight: null, ...problemsOf(f.nodes, f.edges) });
      },
      replaceGraph(graph) {
        commit(toFlow(graph));
      },
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
      beginDrag() {
        const s = get();
        set({ past: [...s.past, { nodes: s.nodes, edges: s.edges }].slice(-HISTORY_LIMIT), future: [], lastKey: undefined });
      },
      connect(connection) {
        const s = get();
        if (!checkConnection(connection, s.nodes, s.edges).ok) return false;
        const edge: FlowEdge = {
          id: edgeId(connection.source, connection.sourceHandle, connection.target),
          source: connection.source,
          target: connection.target,
          sourceHandle: connection.sourceHandle,
          targetHandle: connection.targetHandle ?? 'in',
        };
        commit({ edges: addEdge(edge, s.edges) });
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
        commit({ edges: [...others, { id: edgeId(source, handle, target), source, target, sourceHandle: handle, targetHandle: 'in' }] });
      },
      addNode(type, position) {
        if (!isNodeType(type)) return undefined;
        const s = get();
        const id = nextNodeId(type, new Set(s.nodes.map((n) => n.id)));
        const node: FlowNode = { id, type, position, data: { config: structuredClone(nodeDefinitions[type].defaults) }, selected: true };
        commit({ nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] });
        return id;
      },
      updateConfig(id, config, key) {
        const s = get();
        commit({ nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, config } } : n)) }, key ?? `config:${id}`);
      },
      setLabel(id, label) {
        const s = get();
        commit(
          {
            nodes: s.nodes.map((n) => {
              if (n.id !== id) return n;
              const data = { ...n.data };
              if (label) data.label = label;
              else delete data.label;
              return { ...n, data };
            }),
          },
          `label:${id}`,
        );
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
      deleteNode(id) {
        removeElements(new Set([id]), new Set());
      },
      undo() {
        const s = get();
        const previous = s.past.at(-1);
        if (!previous) return;
        set({ past: s.past.slice(0, -1), future: [{ nodes: s.nodes, edges: s.edges }, ...s.future] });
        restore(previous);
      },
      redo() {
        const s = get();
        const next = s.future[0];
        if (!next) return;
        set({ future: s.future.slice(1), past: [...s.past, { nodes: s.nodes, edges: s.edges }] });
        restore(next);
      },
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
        commit({ nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted.nodes], edges: [...s.edges, ...pasted.edges] });
        // paste again → shifted again, like every editor does
        set({ clipboard: { nodes: pasted.nodes.map((n) => ({ ...n, selected: false })), edges: pasted.edges } });
      },
      autoLayout() {
        const s = get();
        const positions = layoutPositions(s.nodes, s.edges);
        commit({ nodes: s.nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })) });
      },
      setHighlight(result) {
        if (!result) {
          set({ highlight: null });
          return;
        }
        const edges = new Set<string>();
        for (let i = 1; i < result.path.length; i++) edges.add(`${result.path[i - 1]}→${result.path[i]}`);
        set({ highlight: { path: result.path, steps: new Map(result.steps.map((st) => [st.nodeId, st])), edges } });
      },
    };
  });
}

export const CanvasContext = createContext<StoreApi<CanvasState> | null>(null);

export function useCanvasStoreApi(): StoreApi<CanvasState> {
  const store = useContext(CanvasContext);
  if (!store) throw new Error('useCanvas must be used inside <CanvasContext.Provider> (the workflow editor)');
  return store;
}

export function useCanvas<T>(selector: (state: CanvasState) => T): T {
  return useStore(useCanvasStoreApi(), selector);
}
