import { ASSUMED_ARRAY_ITEMS, RULE_BUDGET } from './budget.ts';

export interface CostProblem {
  path: (string | number)[];
  message: string;
}

const ITERATORS = new Set(['map', 'filter', 'reduce', 'all', 'some', 'none']);
const GROWING = new Set(['merge', 'cat']);

function opOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 ? keys[0] : undefined;
}

function argsOf(value: Record<string, unknown>, op: string): unknown[] {
  const raw = value[op];
  return Array.isArray(raw) ? raw : [raw];
}

/**
 * A static estimate of what one evaluation may cost, so a costly rule is refused when it
 * is saved, not discovered in production. Each operation costs one step; an iterator
 * (map, filter, reduce, all, some, none) costs its inner rule once per item: the length of
 * a literal array, or ASSUMED_ARRAY_ITEMS for an array from the event. The runtime budget
 * (evaluate.ts) still stops whatever the estimate cannot see (a bigger array in an event).
 */
export function checkRuleCost(rule: unknown): CostProblem[] {
  const problems: CostProblem[] = [];
  let named = false;
  const cost = (value: unknown, path: (string | number)[], inReduce: boolean): number => {
    if (Array.isArray(value)) return 1 + value.reduce<number>((n, v, i) => n + cost(v, [...path, i], inReduce), 0);
    const op = opOf(value);
    if (!op) return 1;
    const args = argsOf(value as Record<string, unknown>, op);
    const at = [...path, op];
    if (inReduce && GROWING.has(op) && countAccumulator(args) > 1) {
      problems.push({
        path: at,
        message: `this ${op} uses the reduce accumulator more than once, so it doubles with every item: use {"var":"accumulator"} once per ${op}`,
      });
    }
    let total: number;
    if (ITERATORS.has(op)) {
      const items = Array.isArray(args[0]) ? args[0].length : ASSUMED_ARRAY_ITEMS;
      const body = cost(args[1], [...at, 1], inReduce || op === 'reduce');
      total = 1 + cost(args[0], [...at, 0], inReduce) + items * body + (args[2] === undefined ? 0 : cost(args[2], [...at, 2], inReduce));
    } else {
      total = 1 + args.reduce<number>((n, v, i) => n + cost(v, [...at, i], inReduce), 0);
    }
    if (total > RULE_BUDGET.maxSteps && !named) {
      // The innermost node over budget is the one to rewrite: name it, once.
      named = true;
      problems.push({
        path: at,
        message:
          `this ${op} may take about ${Math.round(total).toLocaleString('en')} steps per evaluation, more than the ${RULE_BUDGET.maxSteps.toLocaleString('en')} a rule may take` +
          (ITERATORS.has(op) ? ` (it repeats its inner rule for every item; an event's array is assumed to hold up to ${ASSUMED_ARRAY_ITEMS})` : ''),
      });
    }
    return total;
  };
  cost(rule, [], false);
  return problems;
}

function countAccumulator(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + countAccumulator(v), 0);
  const op = opOf(value);
  if (!op) return 0;
  const args = argsOf(value as Record<string, unknown>, op);
  if (op === 'var') {
    const path = args[0];
    return typeof path === 'string' && (path === 'accumulator' || path.startsWith('accumulator.')) ? 1 : 0;
  }
  return countAccumulator(args);
}
