import { useReactFlow } from '@xyflow/react';
import { isNodeType, nodeOutputs } from '@tripline/shared';
import { useCallback } from 'react';
import type { StoreApi } from 'zustand';
import { checkConnection } from './connection-rules.ts';
import type { CanvasState } from './store.ts';

const W = 220;
const H = 90;
const canvasBox = () => document.querySelector('[data-testid="workflow-canvas"]')?.getBoundingClientRect();

/**
 * Adding steps from the palette: a press puts the step after the selected one, wired to its
 * free output, and brings it into view; a drop puts it where it fell.
 */
export function useAddStep(store: StoreApi<CanvasState>, readOnly: boolean) {
  const flow = useReactFlow();

  /**
   * Brings a step placed at `position` into view (a step added after the last one lands past
   * the right edge). The whole workflow is shown when it fits at a readable zoom, so the
   * steps before it stay in view; otherwise the view shifts just enough to show the new one.
   */
  const revealAt = useCallback(
    (position: { x: number; y: number }) => {
      const box = canvasBox();
      if (!box) return;
      const topLeft = flow.screenToFlowPosition({ x: box.left, y: box.top });
      const bottomRight = flow.screenToFlowPosition({ x: box.right, y: box.bottom });
      if (position.x >= topLeft.x && position.x + W <= bottomRight.x && position.y >= topLeft.y && position.y + H <= bottomRight.y) return;
      const vp = flow.getViewport();
      const all = [...store.getState().nodes.map((n) => n.position), position];
      const minX = Math.min(...all.map((p) => p.x)) - 40;
      const minY = Math.min(...all.map((p) => p.y)) - 40;
      const maxX = Math.max(...all.map((p) => p.x + W)) + 40;
      const maxY = Math.max(...all.map((p) => p.y + H)) + 40;
      const fitZoom = Math.min(vp.zoom, box.width / (maxX - minX), box.height / (maxY - minY));
      if (fitZoom >= 0.5) {
        const cx = (minX + maxX) / 2;
        const cy = (minY + maxY) / 2;
        void flow.setViewport({ zoom: fitZoom, x: box.width / 2 - cx * fitZoom, y: box.height / 2 - cy * fitZoom }, { duration: 200 });
        return;
      }
      const dx = Math.min(0, bottomRight.x - 40 - (position.x + W)) || Math.max(0, topLeft.x + 40 - position.x);
      const dy = Math.min(0, bottomRight.y - 40 - (position.y + H)) || Math.max(0, topLeft.y + 40 - position.y);
      void flow.setViewport({ x: vp.x + dx * vp.zoom, y: vp.y + dy * vp.zoom, zoom: vp.zoom }, { duration: 200 });
    },
    [flow, store],
  );

  /** Palette press (keyboard or click): after the selected step, wired to its free output. */
  const addFromPalette = useCallback(
    (type: string) => {
      if (readOnly || !isNodeType(type)) return;
      const s = store.getState();
      const from = s.nodes.find((n) => n.selected);
      let position: { x: number; y: number };
      if (from) {
        position = { x: from.position.x + 300, y: from.position.y };
        while (s.nodes.some((n) => Math.abs(n.position.x - position.x) < 100 && Math.abs(n.position.y - position.y) < 60)) position = { x: position.x, y: position.y + 120 };
      } else {
        const box = canvasBox();
        const center = box ? flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
        position = { x: center.x - 110 + (s.nodes.length % 5) * 20, y: center.y - 40 + (s.nodes.length % 5) * 20 };
      }
      const id = s.addNode(type, position);
      if (id) revealAt(position);
      if (!id || !from?.type || !isNodeType(from.type)) return;
      const after = store.getState();
      const free = nodeOutputs(from.type, from.data.config).find((h) => checkConnection({ source: from.id, sourceHandle: h, target: id }, after.nodes, after.edges).ok);
      if (free) after.setOutputTarget(from.id, free, id);
    },
    [flow, readOnly, revealAt, store],
  );
  const addAt = useCallback((type: string, position: { x: number; y: number }) => void store.getState().addNode(type, position), [store]);
  return { addFromPalette, addAt };
}
