import { findTrigger } from '../nodes/index.ts';
import type { GraphProblem } from './validate.ts';
import type { WorkflowGraph } from './graph.ts';

const LEVEL_COMPARISONS = new Set(['<', '<=', '>', '>=']);

/**
 * Things that publish fine but rarely do what was meant. Unlike problems they never block
 * Publish; the problems panel and the inspector show them, and publishing returns them.
 *
 * The stock trap: `product.stock_changed` fires on every change of the level, so a rule
 * like `quantity < 10` matches after every sale below 10 (the supplier is told again and
 * again). `inventory.threshold_crossed` fires once at the crossing and re-arms.
 */
export function graphWarnings(graph: WorkflowGraph): GraphProblem[] {
  const trigger = findTrigger(graph.nodes);
  if (!trigger || trigger.config.eventType !== 'product.stock_changed') return [];
  const warnings: GraphProblem[] = [];
  const candidates = [
    { node: trigger, field: 'filter', rule: trigger.config.filter },
    ...graph.nodes.filter((n) => n.type === 'condition').map((node) => ({ node, field: 'rule', rule: node.config.rule })),
  ];
  for (const { node, field, rule } of candidates) {
    const found = levelComparison(rule);
    if (!found) continue;
    warnings.push({
      nodeId: node.id,
      field,
      message:
        `“quantity ${found.op} ${found.value}” on “Stock level changed” is true after every sale while stock stays ${found.op.startsWith('<') ? 'below' : 'above'} ${found.value}, ` +
        `so this runs again and again. To act once when stock crosses ${found.value}, trigger on “Stock crossed a threshold” (inventory.threshold_crossed) instead.`,
    });
  }
  return warnings;
}

/** The first `data.quantity <op> n` in a json-logic rule, wherever it is nested. */
function levelComparison(logic: unknown): { op: string; value: string } | undefined {
  if (Array.isArray(logic)) {
    for (const l of logic) {
      const found = levelComparison(l);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof logic !== 'object' || logic === null) return undefined;
  for (const [op, args] of Object.entries(logic)) {
    const list = Array.isArray(args) ? args : [args];
    if (LEVEL_COMPARISONS.has(op) && list.length >= 2) {
      const at = list.findIndex(isQuantity);
      if (at >= 0) {
        const other = list[at === 0 ? 1 : 0];
        // `10 > quantity` reads as `quantity < 10`
        const flipped = at === 0 ? op : ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[op]!;
        return { op: flipped, value: typeof other === 'object' ? '…' : String(other) };
      }
    }
    const nested = levelComparison(list);
    if (nested) return nested;
  }
  return undefined;
}

function isQuantity(arg: unknown): boolean {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg) || !('var' in arg)) return false;
  const v = (arg as { var: unknown }).var;
  const name = Array.isArray(v) ? v[0] : v;
  return name === 'data.quantity' || name === 'quantity';
}
