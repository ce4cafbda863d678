import type { ReactFlowInstance } from '@xyflow/react';

/**
 * The smallest zoom a fit goes to: node text is 12-13 px, so below 0.8 it reads under 10 px.
 * A workflow too big for the canvas at this zoom is shown from its start (top left, where
 * the trigger is after Layout) and scrolled, instead of shrunk to an unreadable map.
 */
export const READABLE_ZOOM = 0.8;
const MAX_FIT_ZOOM = 1.1;
const PADDING = 40;

/** Fits the workflow in view at a readable zoom; returns the zoom it chose. */
export function readableFit(flow: Pick<ReactFlowInstance, 'getNodes' | 'getNodesBounds' | 'getZoom' | 'setViewport'>, canvas: { width: number; height: number }, duration = 0): number {
  const nodes = flow.getNodes();
  if (nodes.length === 0 || canvas.width === 0 || canvas.height === 0) return flow.getZoom();
  const b = flow.getNodesBounds(nodes.map((n) => n.id));
  const fitZoom = Math.min((canvas.width - 2 * PADDING) / b.width, (canvas.height - 2 * PADDING) / b.height, MAX_FIT_ZOOM);
  const zoom = Math.max(fitZoom, READABLE_ZOOM);
  // centred along an axis that fits; from the top / left edge along one that does not
  const x = b.width * zoom <= canvas.width - 2 * PADDING ? (canvas.width - b.width * zoom) / 2 - b.x * zoom : PADDING - b.x * zoom;
  const y = b.height * zoom <= canvas.height - 2 * PADDING ? (canvas.height - b.height * zoom) / 2 - b.y * zoom : PADDING - b.y * zoom;
  void flow.setViewport({ x, y, zoom }, duration ? { duration } : undefined);
  return zoom;
}
