import { ERROR_OUTPUT, implicitOutput, isNodeType, nodeDefinitions, type StepResult } from '@tripline/shared';

/** What a run (live or dry) did on the graph: the canvas draws it over the editor's nodes. */
export interface RunHighlight {
  /** Last record per node (a step inside a loop is recorded once per iteration). */
  steps: Map<string, StepResult>;
  /** Every record per node, in order. */
  records: Map<string, StepResult[]>;
  /** node id → the outputs it left on (a condition's branch, a switch's case, `error`). */
  taken: Map<string, Set<string>>;
  /** Ids of the edges the run followed. */
  edges: Set<string>;
}

interface HighlightNode {
  id: string;
  type?: string;
  config?: Record<string, unknown>;
}
interface HighlightEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
}

/**
 * Which outputs each step left on and which edges were followed, from the steps a run
 * recorded: what the step's output says (its definition's takenOutput: a condition's result,
 * a switch's case), `error` for a failed step, otherwise the outputs whose next step ran.
 */
export function highlightRun(nodes: readonly HighlightNode[], edges: readonly HighlightEdge[], steps: readonly StepResult[]): RunHighlight {
  const records = new Map<string, StepResult[]>();
  for (const s of steps) records.set(s.nodeId, [...(records.get(s.nodeId) ?? []), s]);
  const last = new Map([...records].map(([id, list]) => [id, list[list.length - 1]!]));
  const taken = new Map<string, Set<string>>();
  const followed = new Set<string>();
  for (const node of nodes) {
    const step = last.get(node.id);
    if (!step || !node.type || !isNodeType(node.type)) continue;
    if (step.status !== 'failed' && step.status !== 'succeeded') continue;
    // a failed step went on only if its error output is connected and that step ran
    const said = step.status === 'failed' ? ERROR_OUTPUT : declaredOutput(node.type, step.output);
    const handles = new Set<string>(said && step.status === 'succeeded' ? [said] : []);
    for (const e of edges) {
      if (e.source !== node.id || !last.has(e.target)) continue;
      const handle = e.sourceHandle ?? implicitOutput(node.type, node.config);
      if (handle === undefined || (said !== undefined && handle !== said)) continue;
      handles.add(handle);
      followed.add(e.id);
    }
    if (handles.size) taken.set(node.id, handles);
  }
  return { steps: last, records, taken, edges: followed };
}

function declaredOutput(type: keyof typeof nodeDefinitions, output: unknown): string | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const out = output as Record<string, unknown>;
  return nodeDefinitions[type].takenOutput?.(out) ?? (typeof out.handle === 'string' ? out.handle : undefined);
}
