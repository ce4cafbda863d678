import { ERROR_OUTPUT, forkBranchNumbers, implicitOutput, isNodeType, nodeOutputs } from '@tripline/shared';
import type { Edge } from '@xyflow/react';
import type { FlowEdge, FlowNode } from './flow-graph.ts';

const labelStyle = { fontSize: 11, fontWeight: 600 };
const labelBgStyle = { fill: '#ffffff', fillOpacity: 0.9 };

/**
 * Edges as the canvas draws them: an edge leaving a step with several outputs carries the
 * output's name ("gold", "true", "error"), and each branch turns at its own distance from the
 * step (smoothstep `stepPosition`), outer branches first, so a switch's seven cases are seven
 * lines rather than one shared vertical. An output connected to several steps (a fork) numbers
 * its edges "branch 1", "branch 2"… in canvas order (higher target first, then further left),
 * the order the run starts them in. Derived for drawing only: nothing here is saved.
 */
export function branchEdges(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): Edge[] {
  const byId = new Map<string, FlowNode>();
  for (const n of nodes) byId.set(n.id, n);
  const forks = forkBranchNumbers(byId, edges, (e) => {
    const n = byId.get(e.source);
    return e.sourceHandle ?? (n?.type && isNodeType(n.type) ? implicitOutput(n.type, n.data.config) : undefined);
  });
  return plainBranchEdges(byId, edges).map((e) => {
    const fork = forks.get(e.id);
    if (!fork) return e;
    const label = `${e.label ? `${String(e.label)} · ` : ''}branch ${fork.branch}`;
    return { ...e, label, labelStyle: e.labelStyle ?? labelStyle, labelBgStyle, className: `${e.className ?? ''} fork-edge`.trim() } as Edge;
  });
}

/** The output names and turning points (before fork numbers). */
function plainBranchEdges(byId: ReadonlyMap<string, FlowNode>, edges: readonly FlowEdge[]): Edge[] {
  const outputsOf = new Map<string, readonly string[]>();
  const branches = (id: string) => {
    let outs = outputsOf.get(id);
    if (!outs) {
      const n = byId.get(id);
      outs = n?.type && isNodeType(n.type) ? nodeOutputs(n.type, n.data.config).filter((h) => h !== ERROR_OUTPUT) : [];
      outputsOf.set(id, outs);
    }
    return outs;
  };
  return edges.map((e) => {
    const handle = e.sourceHandle ?? undefined;
    if (!handle) return e;
    if (handle === ERROR_OUTPUT) return { ...e, label: 'error', labelStyle: { ...labelStyle, fill: '#b00' }, labelBgStyle, className: 'error-edge' };
    const outs = branches(e.source);
    if (outs.length < 2) return e;
    const i = outs.indexOf(handle);
    const mid = (outs.length - 1) / 2;
    // 0 for the outermost outputs, 1 for the middle one
    const inner = i < 0 || mid === 0 ? 1 : 1 - Math.abs(i - mid) / mid;
    return { ...e, label: handle, labelStyle, labelBgStyle, pathOptions: { stepPosition: 0.2 + 0.6 * inner, borderRadius: 6 } } as Edge;
  });
}
