/**
 * Branches: an output connected to several steps starts one branch per step. Their order
 * (the order they start in, their numbers "1", "2", … in the run view and on the canvas) is
 * canvas order: the target step higher on the canvas first, then the one further left; steps
 * at the same place keep the order their edges were drawn in. One rule for the validator
 * (CheckedGraph.next), the engine and the canvas's edge labels.
 */

export interface Placed {
  position?: { x: number; y: number } | undefined;
}

/** Compares two fork targets by canvas order (y, then x); a stable sort keeps edge order for ties. */
export function byCanvasOrder(a: Placed | undefined, b: Placed | undefined): number {
  const pa = a?.position ?? { x: 0, y: 0 };
  const pb = b?.position ?? { x: 0, y: 0 };
  return pa.y - pb.y || pa.x - pb.x;
}

/**
 * The branch number (1-based) of every edge that leaves an output together with others
 * (a fork), with how many branches that output starts; edges of an output with one target
 * are absent. `handleOf` resolves an edge's output (a missing handle means the step's only one).
 */
export function forkBranchNumbers<E extends { id: string; source: string; target: string }>(
  nodes: ReadonlyMap<string, Placed>,
  edges: readonly E[],
  handleOf: (edge: E) => string | undefined,
): Map<string, { branch: number; of: number }> {
  const groups = new Map<string, E[]>();
  for (const e of edges) {
    const key = `${e.source}\u0000${handleOf(e) ?? ''}`;
    const list = groups.get(key);
    if (list) list.push(e);
    else groups.set(key, [e]);
  }
  const numbers = new Map<string, { branch: number; of: number }>();
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    const sorted = [...list].sort((a, b) => byCanvasOrder(nodes.get(a.target), nodes.get(b.target)));
    sorted.forEach((e, i) => numbers.set(e.id, { branch: i + 1, of: sorted.length }));
  }
  return numbers;
}

/** The id of the `n`th (1-based) branch started inside branch `parent` (null: the run's trunk): "2", "2.1". */
export function childBranchId(parent: string | null, n: number): string {
  return parent ? `${parent}.${n}` : String(n);
}
