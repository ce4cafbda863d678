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
