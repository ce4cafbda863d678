import dagre from '@dagrejs/dagre';
import { DEFAULT_NODE_SIZE } from './flow-graph.ts';

interface Sized {
  id: string;
  position: { x: number; y: number };
  measured?: { width?: number; height?: number };
}

/**
 * Left-to-right layered layout (dagre): triggers on the left, each branch fanning out to
 * the right, true above false because handles are ordered that way. Returns new positions
 * only; the caller decides whether to apply them (and records one undo step).
 */
export function layoutPositions(
  nodes: readonly Sized[],
  edges: readonly { source: string; target: string; sourceHandle?: string | null }[],
): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const size = new Map<string, { width: number; height: number }>();
  for (const n of nodes) {
    const s = { width: n.measured?.width ?? DEFAULT_NODE_SIZE.width, height: n.measured?.height ?? DEFAULT_NODE_SIZE.height };
    size.set(n.id, s);
    g.setNode(n.id, s);
  }
  // sort so "true" edges come before "false" ones: dagre keeps insertion order within a rank
  const sorted = [...edges].sort((a, b) => (a.sourceHandle === 'false' ? 1 : 0) - (b.sourceHandle === 'false' ? 1 : 0));
  for (const e of sorted) if (size.has(e.source) && size.has(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const laid = g.node(n.id);
    const s = size.get(n.id)!;
    if (laid) out.set(n.id, { x: Math.round(laid.x - s.width / 2), y: Math.round(laid.y - s.height / 2) });
  }
  return out;
}

/**
 * A graph as the run view draws it: where the editor placed its steps when they read left to
 * right (every connection goes rightwards), so a person finds the workflow they drew; otherwise
 * (seeded or top-down graphs, steps without positions) the editor's Layout.
 */
export function leftToRight<G extends { nodes: { id: string; position?: { x: number; y: number } | undefined }[]; edges: { source: string; target: string; sourceHandle?: string | null }[] }>(graph: G): G {
  const at = new Map(graph.nodes.map((n) => [n.id, n.position]));
  const placed = graph.nodes.every((n) => n.position) && graph.edges.every((e) => (at.get(e.target)?.x ?? 0) > (at.get(e.source)?.x ?? 0));
  if (placed) return graph;
  const positions = layoutPositions(graph.nodes.map((n) => ({ id: n.id, position: n.position ?? { x: 0, y: 0 } })), graph.edges);
  return { ...graph, nodes: graph.nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })) };
}
