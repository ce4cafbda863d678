import { implicitOutput, isNodeType, nodeDefinitions, nodeOutputs } from '../nodes/index.ts';

/** A node as both the stored graph and the canvas can give it (the canvas keeps config under data). */
export interface EdgeEnd {
  id: string;
  type?: string;
  config?: Record<string, unknown>;
}

export interface EdgeLike {
  source: string;
  target: string;
  sourceHandle?: string | null;
}

export type EdgeRule = 'missing_node' | 'unknown_type' | 'no_such_output' | 'into_trigger' | 'self_loop' | 'output_taken' | 'cycle';

export type EdgeCheck = { ok: true; handle: string } | { ok: false; rule: EdgeRule; message: string; nodeId?: string };

/** What checkEdge needs to know about the rest of the graph. */
export interface EdgeContext {
  /**
   * Whether `handle` of `source` already leads to `target`. An output may lead to several
   * steps (each starts its own branch, branches.ts), but to each step once.
   */
  outputTaken: (source: string, handle: string, target: string) => boolean;
  /** Whether `to` is reachable from `from`; omitted, cycles are left to a whole-graph check. */
  reaches?: (from: string, to: string) => boolean;
}

/**
 * The rules one edge must satisfy, in one place for the graph validator (publish) and the
 * canvas (checked while someone drags, so a bad connection is refused before it exists):
 * both ends exist and are known steps, it leaves from an output the source has (a switch's
 * come from its cases), it does not enter a trigger, it is not a self loop, that output does
 * not lead to that step already, and it makes no cycle. An output connected to several steps
 * is a fork (branches.ts); where a fork is not allowed is the whole graph's check (validate.ts).
 */
export function checkEdge(edge: EdgeLike, source: EdgeEnd | undefined, target: EdgeEnd | undefined, context: EdgeContext): EdgeCheck {
  if (!source || !target) {
    return { ok: false, rule: 'missing_node', message: `edge points to a missing node "${!source ? edge.source : edge.target}"` };
  }
  if (!source.type || !target.type || !isNodeType(source.type) || !isNodeType(target.type)) {
    return { ok: false, rule: 'unknown_type', message: 'unknown step', nodeId: !source.type || !isNodeType(source.type) ? source.id : target.id };
  }
  const outputs = nodeOutputs(source.type, source.config);
  const handle = edge.sourceHandle ?? implicitOutput(source.type, source.config);
  if (handle === undefined || !outputs.includes(handle)) {
    const expected = outputs.length ? outputs.join(' or ') : 'none (this step ends the run)';
    return { ok: false, rule: 'no_such_output', nodeId: source.id, message: `"${source.id}" has no output "${handle ?? ''}"; outputs: ${expected}` };
  }
  if (nodeDefinitions[target.type].inputs.length === 0) {
    return { ok: false, rule: 'into_trigger', nodeId: target.id, message: 'a trigger cannot have incoming connections' };
  }
  if (source.id === target.id) return { ok: false, rule: 'self_loop', nodeId: source.id, message: 'a step cannot connect to itself' };
  if (context.outputTaken(source.id, handle, target.id)) {
    return { ok: false, rule: 'output_taken', nodeId: source.id, message: `output "${handle}" of "${source.id}" is already connected to "${target.id}"` };
  }
  if (context.reaches?.(target.id, source.id)) {
    return { ok: false, rule: 'cycle', nodeId: source.id, message: 'that would make a loop; workflows must not contain cycles' };
  }
  return { ok: true, handle };
}

/** checkEdge for an edge about to be added to these nodes and edges (the canvas's question). */
export function checkNewEdge(edge: EdgeLike, nodes: readonly EdgeEnd[], edges: readonly EdgeLike[]): EdgeCheck {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const handleOf = (e: EdgeLike) => {
    const type = byId.get(e.source)?.type;
    return e.sourceHandle ?? (type && isNodeType(type) ? implicitOutput(type, byId.get(e.source)?.config) : undefined);
  };
  return checkEdge(edge, byId.get(edge.source), byId.get(edge.target), {
    outputTaken: (source, handle, target) => edges.some((e) => e.source === source && e.target === target && handleOf(e) === handle),
    reaches: (from, to) => reaches(from, to, edges),
  });
}

/** Is `to` reachable from `from` following edges? (Iterative: fine for thousands of edges.) */
function reaches(from: string, to: string, edges: readonly EdgeLike[]): boolean {
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
