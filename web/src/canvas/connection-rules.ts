import { implicitOutput, isNodeType, nodeDefinitions, nodeOutputs } from '@tripline/shared';

export interface ConnectionLike {
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

interface NodeLike {
  id: string;
  type?: string;
  /** A switch's outputs come from its config (its case names). */
  data?: { config?: Record<string, unknown> };
}

export type ConnectionVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether a connection may be drawn, checked while the user drags (xyflow's
 * isValidConnection) so a bad edge is refused before it exists: no edges into a trigger,
 * no self loops, each output used once (a step does one thing next), no cycles.
 * Same rules as validateGraph on the server, so the canvas never builds what publish refuses.
 */
export function checkConnection(connection: ConnectionLike, nodes: readonly NodeLike[], edges: readonly ConnectionLike[]): ConnectionVerdict {
  const { source, target } = connection;
  if (source === target) return { ok: false, reason: 'a step cannot connect to itself' };
  const sourceNode = nodes.find((n) => n.id === source);
  const targetNode = nodes.find((n) => n.id === target);
  if (!sourceNode?.type || !targetNode?.type || !isNodeType(sourceNode.type) || !isNodeType(targetNode.type)) {
    return { ok: false, reason: 'unknown step' };
  }
  const outputs = nodeOutputs(sourceNode.type, sourceNode.data?.config);
  const handle = connection.sourceHandle ?? implicitOutput(sourceNode.type, sourceNode.data?.config);
  if (!handle || !outputs.includes(handle)) return { ok: false, reason: 'that step has no such output' };
  if (nodeDefinitions[targetNode.type].inputs.length === 0) return { ok: false, reason: 'a trigger cannot have incoming connections' };
  if (edges.some((e) => e.source === source && (e.sourceHandle ?? handle) === handle)) {
    return { ok: false, reason: `output "${handle}" is already connected` };
  }
  if (reaches(target, source, edges)) return { ok: false, reason: 'that would make a loop' };
  return { ok: true };
}

/** Is `to` reachable from `from` following edges? (Iterative: fine for thousands of edges.) */
function reaches(from: string, to: string, edges: readonly ConnectionLike[]): boolean {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const list = next.get(e.source);
    if (list) list.push(e.target);
    else next.set(e.source, [e.target]);
  }
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return false;
}
