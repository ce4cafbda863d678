import type { StepResult, WorkflowGraph } from '@tripline/shared';
import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { memo, useMemo } from 'react';
import { handleTaken, stepDetail } from './step-detail.ts';
import { statusTone } from './ui.tsx';

type RunNodeData = { nodeType: string; label: string; status: string | undefined; attempts: number | undefined; detail: string | undefined; selected: boolean };
type RunNode = Node<RunNodeData, 'run'>;

const RunNodeView = memo(function RunNodeView({ data }: NodeProps<RunNode>) {
  const tone = data.status ? statusTone(data.status) : 'off';
  return (
    <div className={`run-node tone-${tone}${data.selected ? ' selected' : ''}`} data-testid={`run-node-${data.label}`} data-status={data.status ?? 'not reached'}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="type">{data.nodeType}</div>
      <div className="mono">{data.label}</div>
      <div className="muted small">
        {data.status ?? 'not reached'}
        {data.attempts && data.attempts > 1 ? ` · ${data.attempts} attempts` : ''}
      </div>
      {data.detail && <div className="muted small" data-testid="run-node-detail">{data.detail}</div>}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
});

const nodeTypes = { run: RunNodeView };

/** Positions from the saved graph, or a simple top-down layering when a node has none. */
function layout(graph: WorkflowGraph): Map<string, { x: number; y: number }> {
  const out = new Map<string, { x: number; y: number }>();
  const incoming = new Map<string, number>();
  for (const n of graph.nodes) incoming.set(n.id, 0);
  for (const e of graph.edges) incoming.set(e.target, (incoming.get(e.target) ?? 0) + 1);
  const depth = new Map<string, number>();
  const queue = graph.nodes.filter((n) => (incoming.get(n.id) ?? 0) === 0).map((n) => n.id);
  for (const id of queue) depth.set(id, 0);
  while (queue.length) {
    const id = queue.shift()!;
    for (const e of graph.edges.filter((x) => x.source === id)) {
      if (!depth.has(e.target)) {
        depth.set(e.target, depth.get(id)! + 1);
        queue.push(e.target);
      }
    }
  }
  const perLevel = new Map<number, number>();
  for (const n of graph.nodes) {
    if (n.position) {
      out.set(n.id, n.position);
      continue;
    }
    const d = depth.get(n.id) ?? 0;
    const i = perLevel.get(d) ?? 0;
    perLevel.set(d, i + 1);
    out.set(n.id, { x: i * 240, y: d * 120 });
  }
  return out;
}

/** The run's workflow version, read-only, each node coloured by its step's status. */
export function RunCanvas({ graph, steps, selected, onSelect }: { graph: WorkflowGraph; steps: StepResult[]; selected?: string; onSelect?: (nodeId: string) => void }) {
  const { nodes, edges } = useMemo(() => {
    // Steps inside a loop are recorded once per iteration: the last one colours the node.
    const byNode = new Map(steps.map((s) => [s.nodeId, s]));
    const allOf = new Map<string, StepResult[]>();
    for (const s of steps) allOf.set(s.nodeId, [...(allOf.get(s.nodeId) ?? []), s]);
    const positions = layout(graph);
    const nodes: RunNode[] = graph.nodes.map((n) => ({
      id: n.id,
      type: 'run',
      position: positions.get(n.id) ?? { x: 0, y: 0 },
      data: { nodeType: n.type, label: n.label ?? n.id, status: byNode.get(n.id)?.status, attempts: byNode.get(n.id)?.attempts, detail: stepDetail(n.type, allOf.get(n.id) ?? []), selected: n.id === selected },
      draggable: false,
      connectable: false,
    }));
    const typeOf = new Map(graph.nodes.map((n) => [n.id, n.type]));
    const edges: Edge[] = graph.edges.map((e) => {
      const taken = handleTaken(typeOf.get(e.source) ?? '', byNode.get(e.source));
      return {
        id: e.id,
        source: e.source,
        target: e.target,
        label: e.sourceHandle && e.sourceHandle !== 'out' ? e.sourceHandle : undefined,
        animated: byNode.get(e.source)?.status === 'succeeded' && (taken === undefined ? byNode.has(e.target) : taken === e.sourceHandle),
      };
    });
    return { nodes, edges };
  }, [graph, steps, selected]);

  return (
    <div className="run-canvas" data-testid="run-canvas">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        onNodeClick={(_e, node) => onSelect?.(node.id)}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
