import { isNodeType, nodeDefinitions } from '../nodes/index.ts';
import type { GraphEdge, GraphNode, WorkflowGraph } from './graph.ts';

/** One changed value inside a node, addressed by a dotted path ("config.rule", "label"). */
export interface ValueChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface NodeChange {
  id: string;
  type: string;
  changes: ValueChange[];
}

export interface GraphDiff {
  nodes: { added: GraphNode[]; removed: GraphNode[]; changed: NodeChange[] };
  edges: { added: GraphEdge[]; removed: GraphEdge[] };
  /** Nodes whose only difference is where they sit on the canvas. */
  moved: string[];
  /** True when nothing that affects behaviour or labels changed (moves do not count). */
  same: boolean;
}

/**
 * What changed from `before` to `after`. Nodes are matched by id; edges by what they connect
 * (source, output, target), not by id, because an edge re-drawn on the canvas gets a new id
 * but means the same thing. Config is compared key by key, one level deep into objects, so a
 * reviewer sees "config.action: activate → deactivate" rather than two whole JSON blobs.
 */
export function diffGraphs(rawBefore: WorkflowGraph, rawAfter: WorkflowGraph): GraphDiff {
  const before = normaliseGraph(rawBefore);
  const after = normaliseGraph(rawAfter);
  const beforeNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const afterNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const added = after.nodes.filter((n) => !beforeNodes.has(n.id));
  const removed = before.nodes.filter((n) => !afterNodes.has(n.id));
  const changed: NodeChange[] = [];
  const moved: string[] = [];
  for (const next of after.nodes) {
    const prev = beforeNodes.get(next.id);
    if (!prev) continue;
    const changes = nodeChanges(prev, next);
    if (changes.length > 0) changed.push({ id: next.id, type: next.type, changes });
    else if (!equal(prev.position ?? null, next.position ?? null)) moved.push(next.id);
  }

  const beforeEdges = new Map(before.edges.map((e) => [edgeKey(e), e]));
  const afterEdges = new Map(after.edges.map((e) => [edgeKey(e), e]));
  const edgesAdded = after.edges.filter((e) => !beforeEdges.has(edgeKey(e)));
  const edgesRemoved = before.edges.filter((e) => !afterEdges.has(edgeKey(e)));

  return {
    nodes: { added, removed, changed },
    edges: { added: edgesAdded, removed: edgesRemoved },
    moved,
    same: added.length + removed.length + changed.length + edgesAdded.length + edgesRemoved.length === 0,
  };
}

/**
 * The same workflow written two ways compares equal: an edge from a one-output step without
 * `sourceHandle` (seeded and imported graphs) is the editor's `"out"`, an empty label is no
 * label, and config keys set to undefined are absent.
 */
export function normaliseGraph(graph: WorkflowGraph): WorkflowGraph {
  const typeOf = new Map(graph.nodes.map((n) => [n.id, n.type]));
  const soleOutput = (id: string) => {
    const type = typeOf.get(id);
    const outputs = type && isNodeType(type) ? nodeDefinitions[type].outputs : [];
    return outputs.length === 1 ? outputs[0] : undefined;
  };
  return {
    nodes: graph.nodes.map((n) => {
      const { label, ...rest } = n;
      const config = Object.fromEntries(Object.entries(n.config ?? {}).filter(([, v]) => v !== undefined));
      return { ...rest, config, ...(label ? { label } : {}) };
    }),
    edges: graph.edges.map((e) => ({ ...e, sourceHandle: e.sourceHandle ?? soleOutput(e.source) ?? null })),
  };
}

function edgeKey(edge: GraphEdge): string {
  return `${edge.source}\u0000${edge.sourceHandle ?? ''}\u0000${edge.target}`;
}

function nodeChanges(prev: GraphNode, next: GraphNode): ValueChange[] {
  const changes: ValueChange[] = [];
  if (prev.type !== next.type) changes.push({ path: 'type', before: prev.type, after: next.type });
  if ((prev.label ?? '') !== (next.label ?? '')) changes.push({ path: 'label', before: prev.label, after: next.label });
  const keys = new Set([...Object.keys(prev.config ?? {}), ...Object.keys(next.config ?? {})]);
  for (const key of [...keys].sort()) {
    const a = prev.config?.[key];
    const b = next.config?.[key];
    if (equal(a, b)) continue;
    if (isPlainObject(a) && isPlainObject(b) && !isJsonLogic(a) && !isJsonLogic(b)) {
      const inner = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of [...inner].sort()) {
        if (!equal(a[k], b[k])) changes.push({ path: `config.${key}.${k}`, before: a[k], after: b[k] });
      }
    } else {
      changes.push({ path: `config.${key}`, before: a, after: b });
    }
  }
  return changes;
}

/** A json-logic operation is one key; showing it whole reads better than by operator key. */
function isJsonLogic(value: Record<string, unknown>): boolean {
  return Object.keys(value).length === 1;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON values; object key order does not matter. */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => equal(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && equal(ao[k], bo[k]));
}
