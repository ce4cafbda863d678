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
  type FinalConnectionState,
} from '@xyflow/react';
import { isNodeType, nodeCategories, nodeDefinitions } from '@tripline/shared';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
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
  /**
   * The editor fits at a readable zoom and scrolls the rest (`readable`); the run view, a
   * small overview of what ran, shows the whole version (`whole`).
   */
  fit?: 'readable' | 'whole';
}

export function WorkflowCanvas({ readOnly, onAddAt, onNodeClick, minimap = true, fit = 'readable' }: Props) {
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
    if (fit === 'whole') {
      void flow.fitView({ maxZoom: 1.1, padding: 0.08 });
      return;
    }
    const box = wrapper.current.getBoundingClientRect();
    readableFit(flow, { width: box.width, height: box.height });
  }, [flow, initialised, fit]);

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
  // A refused connection says why, where it was dropped, instead of vanishing without a word.
  const [refused, setRefused] = useState<{ x: number; y: number; message: string }>();
  useEffect(() => {
    if (!refused) return;
    const timer = setTimeout(() => setRefused(undefined), 6000);
    return () => clearTimeout(timer);
  }, [refused]);
  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, c: FinalConnectionState) => {
      if (!c.fromNode || c.isValid === true) return;
      const point = 'changedTouches' in event ? event.changedTouches[0]! : event;
      // dropped on a step with no handle near (a trigger has no input): the step under the pointer
      const under = document.elementFromPoint(point.clientX, point.clientY)?.closest<HTMLElement>('.react-flow__node')?.dataset.id;
      const toId = c.toNode?.id ?? under;
      if (!toId || (toId === c.fromNode.id && !c.toNode)) return;
      const fromSource = c.fromHandle?.type !== 'target';
      const attempt = fromSource
        ? { source: c.fromNode.id, sourceHandle: c.fromHandle?.id ?? null, target: toId, targetHandle: c.toHandle?.id ?? null }
        : { source: toId, sourceHandle: c.toHandle?.id ?? null, target: c.fromNode.id, targetHandle: c.fromHandle?.id ?? null };
      const s = store.getState();
      const check = checkConnection(attempt, s.nodes, s.edges);
      if (check.ok) return;
      const box = wrapper.current?.getBoundingClientRect();
      setRefused({ x: point.clientX - (box?.left ?? 0), y: point.clientY - (box?.top ?? 0), message: check.message });
    },
    [store],
  );
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
    <div className="canvas" data-testid="workflow-canvas" ref={wrapper} onDragOver={onDragOver} onDrop={onDrop} style={{ position: 'relative' }}>
      <ReactFlow
        nodes={nodes}
        edges={shownEdges}
        nodeTypes={nodeTypes}
        defaultEdgeOptions={defaultEdgeOptions}
        onNodesChange={store.getState().onNodesChange}
        onEdgesChange={store.getState().onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
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
        panOnScroll={fit === 'readable'}
        defaultViewport={{ x: 40, y: 40, zoom: READABLE_ZOOM }}
        proOptions={proOptions}
        aria-label="Workflow canvas"
      >
        <Background gap={20} />
        {minimap && <MiniMap pannable zoomable nodeColor={miniMapColor} ariaLabel="Mini map" />}
        <Controls showInteractive={false} />
      </ReactFlow>
      {refused && (
        <div
          className="connection-refused"
          role="alert"
          data-testid="connection-refused"
          style={{ position: 'absolute', left: refused.x + 12, top: refused.y + 12, zIndex: 10, maxWidth: 320, background: '#fff4f2', border: '1px solid #d92d20', color: '#7a271a', borderRadius: 6, padding: '6px 10px', fontSize: 13, boxShadow: '0 2px 8px rgba(0,0,0,.15)' }}
        >
          Not connected: {refused.message}
        </div>
      )}
    </div>
  );
}
