import { isTriggerType } from '@tripline/shared';
import { edgeId, nextNodeId, type FlowEdge, type FlowNode } from './flow-graph.ts';

export interface ClipboardContent {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** Selected nodes and the edges between them (an edge to an unselected node is left behind). */
export function copySelection(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): ClipboardContent | undefined {
  const picked = nodes.filter((n) => n.selected);
  if (picked.length === 0) return undefined;
  const ids = new Set(picked.map((n) => n.id));
  return {
    nodes: picked.map((n) => structuredClone({ id: n.id, type: n.type, position: n.position, data: n.data })),
    edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ ...e })),
  };
}

/**
 * The clipboard as new nodes (fresh ids, shifted by `offset`, selected) and edges between
 * them. A copied trigger is left out when the canvas already has one: a workflow has one.
 */
export function pasteClipboard(
  clip: ClipboardContent,
  existing: readonly FlowNode[],
  offset = { x: 40, y: 40 },
): ClipboardContent {
  const taken = new Set(existing.map((n) => n.id));
  const hasTrigger = existing.some((n) => isTriggerType(n.type));
  const rename = new Map<string, string>();
  const nodes: FlowNode[] = [];
  for (const n of clip.nodes) {
    if (isTriggerType(n.type) && hasTrigger) continue;
    const id = nextNodeId(n.type ?? 'node', taken);
    taken.add(id);
    rename.set(n.id, id);
    nodes.push({ ...n, id, position: { x: n.position.x + offset.x, y: n.position.y + offset.y }, data: structuredClone(n.data), selected: true });
  }
  const edges: FlowEdge[] = [];
  for (const e of clip.edges) {
    const source = rename.get(e.source);
    const target = rename.get(e.target);
    if (source && target) edges.push({ id: edgeId(source, e.sourceHandle, target), source, target, sourceHandle: e.sourceHandle ?? null, targetHandle: 'in' });
  }
  return { nodes, edges };
}
