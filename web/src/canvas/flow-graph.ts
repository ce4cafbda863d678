import type { Edge, Node } from '@xyflow/react';
import { implicitOutput, isNodeType, isTriggerType, type GraphEdge, type GraphNode, type GraphNote, type WorkflowGraph } from '@tripline/shared';

/** What a canvas node carries: the same config the API stores, nothing derived, no functions. */
export type NodeData = {
  config: Record<string, unknown>;
  label?: string;
  /** Only on sticky notes (type NOTE_TYPE): what the note says. */
  text?: string;
};

/** The canvas type of a sticky note: drawn among the steps, saved apart from them (graph.notes). */
export const NOTE_TYPE = 'note';
export const isNote = (n: { type?: string }) => n.type === NOTE_TYPE;

/** A canvas node; its xyflow `type` is the registry node type ("trigger", "condition", …). */
export type FlowNode = Node<NodeData>;
export type FlowEdge = Edge;

export const DEFAULT_NODE_SIZE = { width: 220, height: 84 };

export function toFlowNode(node: GraphNode, index = 0): FlowNode {
  const flow: FlowNode = {
    id: node.id,
    type: node.type,
    position: node.position ?? { x: (index % 5) * 280, y: Math.floor(index / 5) * 140 },
    data: node.label === undefined ? { config: node.config } : { config: node.config, label: node.label },
  };
  return flow;
}

export function toFlowEdge(edge: GraphEdge): FlowEdge {
  return { id: edge.id, source: edge.source, target: edge.target, sourceHandle: edge.sourceHandle ?? null, targetHandle: 'in' };
}

export function toFlowNote(note: GraphNote): FlowNode {
  // behind the steps, so a note never hides a handle
  return { id: note.id, type: NOTE_TYPE, position: note.position, data: { config: {}, text: note.text }, zIndex: -1 };
}

export function toFlow(graph: WorkflowGraph): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const nodes = [...graph.nodes.map(toFlowNode), ...(graph.notes ?? []).map(toFlowNote)];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges = graph.edges.map((e) => {
    const flow = toFlowEdge(e);
    // `sourceHandle` may be omitted in stored graphs when a node has one output; xyflow needs it
    if (flow.sourceHandle === null) {
      const source = byId.get(e.source);
      const implicit = source?.type && isNodeType(source.type) ? implicitOutput(source.type, source.data.config) : undefined;
      if (implicit) flow.sourceHandle = implicit;
    }
    return flow;
  });
  return { nodes, edges };
}

export function toGraph(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): WorkflowGraph {
  const notes: GraphNote[] = nodes.filter(isNote).map((n) => ({ id: n.id, text: n.data.text ?? '', position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } }));
  return {
    ...(notes.length ? { notes } : {}),
    nodes: nodes.filter((n) => !isNote(n)).map((n) => {
      const node: GraphNode = {
        id: n.id,
        type: n.type ?? 'unknown',
        config: n.data.config,
        position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      };
      if (n.data.label) node.label = n.data.label;
      return node;
    }),
    edges: edges.map((e) => {
      const edge: GraphEdge = { id: e.id, source: e.source, target: e.target };
      if (e.sourceHandle) edge.sourceHandle = e.sourceHandle;
      return edge;
    }),
  };
}

/** A readable id that is not yet used: "webhook-3". */
export function nextNodeId(type: string, taken: ReadonlySet<string>): string {
  // the one trigger is called so: edges read "trigger → …"
  if (isTriggerType(type) && !taken.has('trigger')) return 'trigger';
  for (let i = 1; ; i++) {
    const id = `${type}-${i}`;
    if (!taken.has(id)) return id;
  }
}

export function edgeId(source: string, handle: string | null | undefined, target: string): string {
  return `e-${source}-${handle ?? 'out'}-${target}`.slice(0, 100);
}
