import { checkNewEdge, type EdgeCheck, type EdgeLike } from '@tripline/shared';

interface NodeLike {
  id: string;
  type?: string;
  /** A switch's outputs come from its config (its case names). */
  data?: { config?: Record<string, unknown> };
}

/**
 * Whether a connection may be drawn, checked while the user drags (xyflow's
 * isValidConnection) so a bad edge is refused before it exists. The rules are shared's
 * checkEdge, the ones publish applies, so the canvas never builds what publish refuses.
 */
export function checkConnection(connection: EdgeLike, nodes: readonly NodeLike[], edges: readonly EdgeLike[]): EdgeCheck {
  return checkNewEdge(connection, nodes.map((n) => ({ id: n.id, type: n.type, config: n.data?.config })), edges);
}
