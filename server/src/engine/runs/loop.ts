import type { CheckedGraph } from '@tripline/shared';
import type { LoopFrame } from './types.ts';

/**
 * How a for_each loop moves, as pure functions of the graph: the step loop enters a loop
 * when a for_each step hands it its items, and moves to the next iteration whenever the
 * `each` branch comes to an end (an output with nothing connected). After the last item
 * the run continues on `done` with the vars it had when the loop started.
 */

export interface LoopMove {
  loop: LoopFrame | null;
  nodeId: string | undefined;
  vars: Record<string, unknown>;
}

// A for_each's outputs lead to one step each (forks there are refused at publish).
const target = (graph: CheckedGraph, nodeId: string, handle: string) => graph.next.get(nodeId)?.get(handle)?.[0];

export function enterLoop(graph: CheckedGraph, forEachId: string, items: unknown[], vars: Record<string, unknown>): LoopMove {
  const each = target(graph, forEachId, 'each');
  // Nothing to run per item: straight on to `done`.
  if (items.length === 0 || !each) return { loop: null, nodeId: target(graph, forEachId, 'done'), vars };
  return { loop: { nodeId: forEachId, items, index: 0, vars }, nodeId: each, vars };
}

export function nextIteration(graph: CheckedGraph, loop: LoopFrame): LoopMove {
  if (loop.index + 1 < loop.items.length) {
    return { loop: { ...loop, index: loop.index + 1 }, nodeId: target(graph, loop.nodeId, 'each'), vars: loop.vars };
  }
  return { loop: null, nodeId: target(graph, loop.nodeId, 'done'), vars: loop.vars };
}

/** What rules and templates see inside an iteration. */
export function loopScope(loop: LoopFrame | null): Record<string, unknown> {
  return loop ? { item: loop.items[loop.index], index: loop.index } : {};
}

export function iterationOf(loop: LoopFrame | null): number {
  return loop ? loop.index : -1;
}

/** The stored loop state (runs.loop_state), checked: anything else is treated as no loop. */
export function parseLoopState(value: unknown): LoopFrame | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<LoopFrame>;
  if (typeof v.nodeId !== 'string' || !Array.isArray(v.items) || typeof v.index !== 'number' || typeof v.vars !== 'object' || v.vars === null) return null;
  return { nodeId: v.nodeId, items: v.items, index: v.index, vars: v.vars };
}
