import type { StoreApi } from 'zustand';
import type { FlowEdge, FlowNode } from './flow-graph.ts';
import type { CanvasState } from './store.ts';

export interface Snapshot {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

const HISTORY_LIMIT = 100;

type Set = StoreApi<CanvasState>['setState'];
type Get = StoreApi<CanvasState>['getState'];
export type Checks = (nodes: FlowNode[], edges: FlowEdge[]) => Pick<CanvasState, 'problems' | 'problemsByNode' | 'problemEdges' | 'warnings' | 'warningsByNode'>;

/** How every change reaches the store: one undo entry, re-validation and the change counter. */
export function historyOf(set: Set, get: Get, checks: Checks) {
  /** Applies a structural change. Consecutive changes with the same key (typing in one field) make one undo step. */
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
      ...checks(nodes, edges),
    });
  };
  const restore = (snapshot: Snapshot) => set((s) => ({ ...snapshot, changeSeq: s.changeSeq + 1, lastKey: undefined, ...checks(snapshot.nodes, snapshot.edges) }));

  const actions: Pick<CanvasState, 'beginDrag' | 'undo' | 'redo'> = {
    beginDrag() {
      const s = get();
      set({ past: [...s.past, { nodes: s.nodes, edges: s.edges }].slice(-HISTORY_LIMIT), future: [], lastKey: undefined });
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
  };
  return { commit, actions };
}
