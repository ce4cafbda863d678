import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  type Connection,
  type Edge,
  type IsValidConnection,
} from '@xyflow/react';
import { isNodeType, nodeCategories, nodeDefinitions } from '@tripline/shared';
import { useCallback, useEffect, useMemo, useRef, type DragEvent } from 'react';
import { branchEdges } from './edge-branches.ts';
import { isNote } from './flow-graph.ts';
import { READABLE_ZOOM, readableFit } from './readable-fit.ts';
import { useStore } from 'zustand';
import { checkConnection } from './connection-rules.ts';
import { nodeTypes } from './node-types.ts';
import { DRAG_MIME } from './palette.tsx';
import { useCanvasStoreApi, type CanvasState } from './store.ts';

const defaultEdgeOptions = { type: 'smoothstep' } as const;
const proOptions = { hideAttribution: true };
/** Each node's category colour from the registry, as on the node itself. */
const miniMapColor = (n: { type?: string }) => (isNote(n) ? '#f5e27a' : n.type && isNodeType(n.type) ? nodeCategories[nodeDefinitions[n.type].category].colour : '#d33');

const selectNodes = (s: CanvasState) => s.nodes;
const selectEdges = (s: CanvasState) => s.edges;
const selectHighlight = (s: CanvasState) => s.highlight;
const selectProblemEdges = (s: CanvasState) => s.problemEdges;
/** Changes when a step's outputs may have changed (its config), not when it moves. */
const selectBranchingKey = (s: CanvasState) => {
  let key = '';
  for (const n of s.nodes) if (n.type === 'switch' || n.type === 'condition' || n.type === 'wait_for_event' || n.type === 'for_each') key += `${n.id}:${JSON.stringify(n.data.config.cases ?? '')};`;
  return key;
};

/**
 * onlyRenderVisibleElements is left off: measured on a 500-step workflow (zoomed to fit,
 * Chromium without GPU) it made opening 1.7× and panning 2.6× slower, because every pan
 * re-filters and re-mounts nodes, while memoised nodes with a compact far-zoom rendering
 * (workflow-node.tsx) cost nothing on a pan. Turn it on only for far larger graphs.
 */
const VIRTUALISE_FROM = 2000;

interface Props {
  readOnly: boolean;
  /** A palette item dropped on the canvas; absent where nothing can be added (the run view). */
  onAddAt?: (type: string, position: { x: number; y: number }) => void;
  onNodeClick?: (nodeId: string) => void;
  /** The run view: a smaller frame, no mini map. */
  minimap?: boolean;
}

export function WorkflowCanvas({ readOnly, onAddAt, onNodeClick, minimap = true }: Props) {
  const store = useCanvasStoreApi();
  const nodes = useStore(store, selectNodes);
  const edges = useStore(store, selectEdges);
  const highlight = useStore(store, selectHighlight);
  const problemEdges = useStore(store, selectProblemEdges);
  const flow = useReactFlow();
  const { screenToFlowPosition } = flow;
  const wrapper = useRef<HTMLDivElement>(null);

  // The first view, once nodes have their size: fitted, but never below a readable zoom.
  const initialised = useNodesInitialized();
  const fitted = useRef(false);
  useEffect(() => {
    if (!initialised || fitted.current || !wrapper.current) return;
    fitted.current = true;
    const box = wrapper.current.getBoundingClientRect();
    readableFit(flow, { width: box.width, height: box.height });
  }, [flow, initialised]);

  // Which output each edge leaves from, as labels and separate lanes (a switch's seven cases
  // stay seven lines); recomputed only when edges or step configs change, not on a drag.
  const configsKey = useStore(store, selectBranchingKey);
  const laned = useMemo(() => branchEdges(store.getState().nodes, edges), [store, edges, configsKey]);

  // Edge decoration is derived here, never stored in the graph: it must not be saved.
  const shownEdges = useMemo<Edge[]>(() => {
    if (!highlight && problemEdges.size === 0) return laned;
    return laned.map((e) => {
      const classes: string[] = [];
      if (problemEdges.has(e.id)) classes.push('invalid');
      if (highlight) classes.push(highlight.edges.has(e.id) ? 'on-path' : 'off-path');
      return classes.length ? { ...e, className: classes.join(' '), animated: classes.includes('on-path') } : e;
    });
  }, [laned, highlight, problemEdges]);

  const isValidConnection = useCallback<IsValidConnection>(
    (c) => {
      const s = store.getState();
      return checkConnection(c, s.nodes, s.edges).ok;
    },
    [store],
  );
  const onConnect = useCallback((c: Connection) => void store.getState().connect(c), [store]);
  const onNodeDragStart = useCallback(() => store.getState().beginDrag(), [store]);

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(DRAG_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
    }
  }, []);
  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(DRAG_MIME);
      if (!type || readOnly || !onAddAt) return;
      e.preventDefault();
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      onAddAt(type, { x: p.x - 110, y: p.y - 30 });
    },
    [onAddAt, readOnly, screenToFlowPosition],
  );

  return (
    <div className="canvas" data-testid="workflow-canvas" ref={wrapper} onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow
        nodes={nodes}
        edges={shownEdges}
        nodeTypes={nodeTypes}
        defaultEdgeOptions={defaultEdgeOptions}
        onNodesChange={store.getState().onNodesChange}
        onEdgesChange={store.getState().onEdgesChange}
        onConnect={onConnect}
        onNodeDragStart={onNodeDragStart}
        onNodeClick={onNodeClick ? (_e, node) => onNodeClick(node.id) : undefined}
        isValidConnection={isValidConnection}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        deleteKeyCode={null}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        onlyRenderVisibleElements={nodes.length >= VIRTUALISE_FROM}
        minZoom={0.05}
        // a wheel scrolls a big workflow (read at READABLE_ZOOM); Ctrl + wheel or a pinch zooms
        panOnScroll
        defaultViewport={{ x: 40, y: 40, zoom: READABLE_ZOOM }}
        proOptions={proOptions}
        aria-label="Workflow canvas"
      >
        <Background gap={20} />
        {minimap && <MiniMap pannable zoomable nodeColor={miniMapColor} ariaLabel="Mini map" />}
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
