import type { Connection, EdgeChange, NodeChange } from '@xyflow/react';
import { graphWarnings, validateGraph, type DryRunResult, type GraphProblem, type StepResult, type WorkflowGraph } from '@tripline/shared';
import { createContext, useContext } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import type { ClipboardContent } from './clipboard.ts';
import { toFlow, toGraph, type FlowEdge, type FlowNode } from './flow-graph.ts';
import { highlightRun, type RunHighlight } from './run-highlight.ts';
import { graphEdits } from './store-edits.ts';
import { historyOf, type Checks, type Snapshot } from './store-history.ts';

export type { RunHighlight } from './run-highlight.ts';

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
  /** What publishes but rarely does what was meant (the stock trap): shown, never blocking. */
  warnings: GraphProblem[];
  warningsByNode: Map<string, GraphProblem[]>;
  /** Bumps on every change that should be saved (moves included); the page compares it to the saved one. */
  changeSeq: number;
  /** What a dry run or a recorded run did, drawn over the nodes; never saved. */
  highlight: RunHighlight | null;
  /** The last test (dry) run of this draft and the event data it used; never saved. */
  testRun: DryRunResult | null;
  testSample: string | undefined;
  setTestRun: (result: DryRunResult | null) => void;
  setTestSample: (text: string) => void;

  load: (graph: WorkflowGraph) => void;
  replaceGraph: (graph: WorkflowGraph) => void;
  onNodesChange: (changes: NodeChange<FlowNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<FlowEdge>[]) => void;
  beginDrag: () => void;
  connect: (connection: Connection) => boolean;
  /** Keyboard-friendly wiring: set (or clear, target null) what an output leads to. */
  setOutputTarget: (source: string, handle: string, target: string | null) => void;
  /**
   * Keyboard-friendly wiring of one branch of a fork: the edge from this output to `from`
   * leads to `to` instead; `from` null adds a branch, `to` null removes one.
   */
  setBranchTarget: (source: string, handle: string, from: string | null, to: string | null) => void;
  addNode: (type: string, position: { x: number; y: number }) => string | undefined;
  updateConfig: (id: string, config: Record<string, unknown>, key?: string) => void;
  setLabel: (id: string, label: string) => void;
  /** A sticky note at `position` (canvas-only: saved with the graph, never run). */
  addNote: (position: { x: number; y: number }) => string;
  setNoteText: (id: string, text: string) => void;
  select: (ids: string[]) => void;
  deleteSelected: () => void;
  deleteNode: (id: string) => void;
  undo: () => void;
  redo: () => void;
  copy: () => ClipboardContent | undefined;
  paste: (clip?: ClipboardContent) => void;
  autoLayout: () => void;
  /** Draws a run: its steps, in the order they ran (`path`: nodes it passed without a step record, such as a dry run's trigger). */
  setHighlight: (run: { steps: readonly StepResult[]; path?: readonly string[] } | null) => void;
}

const byNode = (list: readonly GraphProblem[]) => {
  const map = new Map<string, GraphProblem[]>();
  for (const p of list) if (p.nodeId) map.set(p.nodeId, [...(map.get(p.nodeId) ?? []), p]);
  return map;
};
const validated: Checks = (nodes, edges) => {
  const graph = toGraph(nodes, edges);
  const check = validateGraph(graph);
  const problems = check.ok ? [] : check.problems;
  const problemEdges = new Set<string>();
  for (const p of problems) if (p.edgeId) problemEdges.add(p.edgeId);
  const warnings = graphWarnings(graph);
  return { problems, problemsByNode: byNode(problems), problemEdges, warnings, warningsByNode: byNode(warnings) };
};
/** A recorded run's graph was valid when it was published: the run view shows no problems. */
const unchecked: Checks = () => ({ problems: [], problemsByNode: new Map(), problemEdges: new Set(), warnings: [], warningsByNode: new Map() });

/**
 * One store per open canvas (so two canvases never share state), created by the page and
 * handed down through CanvasContext. Every graph change goes through an action here, which
 * records undo history and re-validates: node components never mutate data themselves.
 * `validate: false` for the read-only run view.
 */
export function createCanvasStore(initial: WorkflowGraph = { nodes: [], edges: [] }, options: { validate?: boolean } = {}): StoreApi<CanvasState> {
  const checks = options.validate === false ? unchecked : validated;
  return createStore<CanvasState>((set, get) => {
    const history = historyOf(set, get, checks);
    const flow = toFlow(initial);
    return {
      ...flow,
      past: [],
      future: [],
      lastKey: undefined,
      clipboard: undefined,
      changeSeq: 0,
      highlight: null,
      testRun: null,
      testSample: undefined,
      setTestRun: (testRun) => set({ testRun }),
      setTestSample: (testSample) => set({ testSample }),
      ...checks(flow.nodes, flow.edges),
      ...history.actions,
      ...graphEdits(set, get, history.commit),
      load(graph) {
        const f = toFlow(graph);
        set({ ...f, past: [], future: [], lastKey: undefined, changeSeq: 0, highlight: null, ...checks(f.nodes, f.edges) });
      },
      setHighlight(run) {
        if (!run) return set({ highlight: null });
        const recorded = new Set(run.steps.map((s) => s.nodeId));
        const passed = (run.path ?? []).filter((id) => !recorded.has(id)).map((nodeId): StepResult => ({ nodeId, nodeType: '', status: 'succeeded' }));
        const s = get();
        set({ highlight: highlightRun(s.nodes.map((n) => ({ id: n.id, type: n.type, config: n.data.config })), s.edges, [...passed, ...run.steps]) });
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
