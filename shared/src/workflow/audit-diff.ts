import { diffGraphs, type ValueChange } from './diff.ts';
import type { WorkflowGraph } from './graph.ts';

/**
 * What the audit log keeps of a workflow graph change (issue 23, item 11): the diff, not the
 * whole graph before and after (a draft save wrote up to about 2 MB). Nodes added or removed
 * by id, type and label; changed values by path, each value kept whole up to
 * AUDIT_VALUE_LIMIT characters of JSON (longer ones as `{cut, characters}`); edges by what
 * they connect. A diff still over AUDIT_CHANGE_LIMIT keeps paths only and says `cut: true`.
 * Published versions are kept whole in workflow_versions: the audit names their numbers.
 */

export const AUDIT_VALUE_LIMIT = 1_000;
export const AUDIT_CHANGE_LIMIT = 16 * 1024;

export interface StoredGraphChange {
  nodes: {
    added: { id: string; type: string; label?: string }[];
    removed: { id: string; type: string; label?: string }[];
    changed: { id: string; type: string; changes: ValueChange[] }[];
  };
  edges: { added: { source: string; sourceHandle?: string | null; target: string }[]; removed: { source: string; sourceHandle?: string | null; target: string }[] };
  moved: string[];
  cut?: true;
}

const capped = (v: unknown): unknown => {
  if (v === undefined) return undefined;
  const text = JSON.stringify(v);
  return text !== undefined && text.length > AUDIT_VALUE_LIMIT ? { cut: true, characters: text.length } : v;
};

export function storedGraphChange(before: WorkflowGraph, after: WorkflowGraph): StoredGraphChange {
  const diff = diffGraphs(before, after);
  const node = (n: { id: string; type: string; label?: string }) => ({ id: n.id, type: n.type, ...(n.label ? { label: n.label } : {}) });
  const edge = (e: { source: string; sourceHandle?: string | null; target: string }) => ({ source: e.source, sourceHandle: e.sourceHandle ?? null, target: e.target });
  const change: StoredGraphChange = {
    nodes: {
      added: diff.nodes.added.map(node),
      removed: diff.nodes.removed.map(node),
      changed: diff.nodes.changed.map((c) => ({ id: c.id, type: c.type, changes: c.changes.map((v) => ({ path: v.path, before: capped(v.before), after: capped(v.after) })) })),
    },
    edges: { added: diff.edges.added.map(edge), removed: diff.edges.removed.map(edge) },
    moved: diff.moved,
  };
  if (JSON.stringify(change).length <= AUDIT_CHANGE_LIMIT) return change;
  return { ...change, nodes: { ...change.nodes, changed: change.nodes.changed.map((c) => ({ ...c, changes: c.changes.map((v) => ({ path: v.path, before: undefined, after: undefined })) })) }, cut: true };
}

type StoredEdge = StoredGraphChange['edges']['added'][number];
const edgeKey = (e: StoredEdge) => `${e.source}\u0000${e.sourceHandle ?? ''}\u0000${e.target}`;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The net change of several stored changes, oldest first (an editing session's autosaves):
 * a value keeps its first before and its last after, and what came back to where it was
 * (a step added then removed, 800 → 900 → 800) drops out.
 */
export function composeGraphChanges(changes: StoredGraphChange[]): StoredGraphChange {
  if (changes.length === 1) return changes[0]!;
  const added = new Map<string, StoredGraphChange['nodes']['added'][number]>();
  const removed = new Map<string, StoredGraphChange['nodes']['removed'][number]>();
  const changed = new Map<string, { id: string; type: string; values: Map<string, ValueChange> }>();
  const edgesAdded = new Map<string, StoredEdge>();
  const edgesRemoved = new Map<string, StoredEdge>();
  const moved = new Set<string>();
  let cut = false;
  for (const c of changes) {
    for (const n of c.nodes.added) {
      if (removed.has(n.id)) removed.delete(n.id);
      else added.set(n.id, n);
    }
    for (const n of c.nodes.removed) {
      changed.delete(n.id);
      if (added.has(n.id)) added.delete(n.id);
      else removed.set(n.id, n);
    }
    for (const n of c.nodes.changed) {
      if (added.has(n.id)) continue;
      const entry = changed.get(n.id) ?? { id: n.id, type: n.type, values: new Map<string, ValueChange>() };
      changed.set(n.id, entry);
      for (const v of n.changes) {
        const first = entry.values.get(v.path);
        entry.values.set(v.path, first ? { ...first, after: v.after } : v);
      }
    }
    for (const e of c.edges.added) {
      if (edgesRemoved.delete(edgeKey(e))) continue;
      edgesAdded.set(edgeKey(e), e);
    }
    for (const e of c.edges.removed) {
      if (edgesAdded.delete(edgeKey(e))) continue;
      edgesRemoved.set(edgeKey(e), e);
    }
    for (const id of c.moved) moved.add(id);
    if (c.cut) cut = true;
  }
  const netChanged = [...changed.values()]
    .map((n) => ({ id: n.id, type: n.type, changes: [...n.values.values()].filter((v) => cut || !same(v.before, v.after)) }))
    .filter((n) => n.changes.length > 0);
  return {
    nodes: { added: [...added.values()], removed: [...removed.values()], changed: netChanged },
    edges: { added: [...edgesAdded.values()], removed: [...edgesRemoved.values()] },
    moved: [...moved],
    ...(cut ? { cut: true as const } : {}),
  };
}
