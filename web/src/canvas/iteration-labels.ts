import type { StepResult } from '@tripline/shared';

/** The connections a label needs: which output of which step leads where. */
export interface LoopGraph {
  nodes: readonly { id: string; type?: string }[];
  edges: readonly { source: string; sourceHandle?: string | null; target: string }[];
}

/**
 * For each step inside a for_each's `each` branch, that for_each's id: everything reachable
 * from its `each` output (a loop cannot hold another loop, so the walk stops at one).
 */
export function loopOwners(graph: LoopGraph): Map<string, string> {
  const owner = new Map<string, string>();
  const type = new Map(graph.nodes.map((n) => [n.id, n.type]));
  for (const loop of graph.nodes.filter((n) => n.type === 'for_each')) {
    const queue = graph.edges.filter((e) => e.source === loop.id && e.sourceHandle === 'each').map((e) => e.target);
    while (queue.length > 0) {
      const id = queue.shift()!;
      if (owner.has(id) || type.get(id) === 'for_each') continue;
      owner.set(id, loop.id);
      for (const e of graph.edges) if (e.source === id) queue.push(e.target);
    }
  }
  return owner;
}

/**
 * "item 2 of 3" for every step that ran inside a for_each, keyed by the step record. The
 * count comes from the loop's own record (a for_each step's output says how many items it
 * walked): with the graph, the last record before the step of the for_each whose `each`
 * branch holds it (right when branches run side by side); without, the nearest for_each
 * record before it. Steps outside a loop (no iteration, or -1 as the engine stores it) get none.
 */
export function iterationLabels(steps: readonly StepResult[], graph?: LoopGraph): Map<StepResult, string> {
  const owners = graph ? loopOwners(graph) : undefined;
  const labels = new Map<StepResult, string>();
  const counts = new Map<string, number | undefined>();
  let lastCount: number | undefined;
  for (const step of steps) {
    if (step.nodeType === 'for_each') {
      const out = step.output as { count?: unknown } | undefined;
      lastCount = typeof out?.count === 'number' ? out.count : undefined;
      counts.set(step.nodeId, lastCount);
      continue;
    }
    if (typeof step.iteration !== 'number' || step.iteration < 0) continue;
    const owner = owners?.get(step.nodeId);
    const count = owner !== undefined ? counts.get(owner) : lastCount;
    labels.set(step, count !== undefined && step.iteration < count ? `item ${step.iteration + 1} of ${count}` : `item ${step.iteration + 1}`);
  }
  return labels;
}
