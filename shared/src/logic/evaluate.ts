import { RULE_BUDGET } from './budget.ts';
import { checkRule, hasForbiddenSegment } from './rule.ts';

export { RULE_BUDGET };

/**
 * The one evaluator of json-logic rules (trigger filters, conditions, segments, endpoint
 * filters). A small interpreter over the allowed operators with json-logic-js 2.0.5
 * semantics, written here rather than used from the library because a rule needs a budget:
 * json-logic-js has no hook to count steps (its `add_operation` is global, and map, filter
 * and reduce are not operations it lets anyone wrap), so a rule that doubles an array forty
 * times would hold a worker for ever. Here every step, every array and every string is
 * counted, and a rule over budget stops with RuleBudgetError.
 */

/** The rule is refused by the checker (operator, path): it never runs. */
export class UnsafeRuleError extends Error {
  override name = 'UnsafeRuleError';
}

/** The rule ran over its budget on this data: its step fails, the process carries on. */
export class RuleBudgetError extends Error {
  override name = 'RuleBudgetError';
}

type Data = unknown;
interface Budget {
  steps: number;
}

export function truthy(value: unknown): boolean {
  if (Array.isArray(value) && value.length === 0) return false;
  return !!value;
}

// Checked once per rule object: rules are parsed once (at publish) and evaluated many times.
const checked = new WeakSet<object>();

/** Evaluates a rule against data; throws UnsafeRuleError or RuleBudgetError, never loops unbounded. */
export function evaluateRule(rule: unknown, data: Data): unknown {
  if (rule !== null && typeof rule === 'object' && !checked.has(rule)) {
    const problems = checkRule(rule);
    if (problems.length) throw new UnsafeRuleError(problems.map((p) => `${p.path.join('.') || 'rule'}: ${p.message}`).join('; '));
    checked.add(rule);
  }
  return apply(rule, data, { steps: 0 });
}

/** True when there is no rule or it evaluates truthy; a rule that fails to evaluate throws. */
export function ruleMatches(rule: unknown, data: Data): boolean {
  if (rule === undefined || rule === null) return true;
  return truthy(evaluateRule(rule, data));
}

function isLogic(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1;
}

function step(budget: Budget) {
  if (++budget.steps > RULE_BUDGET.maxSteps) {
    throw new RuleBudgetError(`the rule took more than ${RULE_BUDGET.maxSteps} steps on this data and was stopped`);
  }
}

function checkSize(size: number, what: string): void {
  if (size > RULE_BUDGET.maxArrayItems) {
    throw new RuleBudgetError(`${what} holds ${size} items, more than the ${RULE_BUDGET.maxArrayItems} a rule may handle`);
  }
}

function checkArray<T>(value: T[], what: string): T[] {
  checkSize(value.length, what);
  return value;
}

function checkString(value: string, what: string): string {
  if (value.length > RULE_BUDGET.maxStringLength) {
    throw new RuleBudgetError(`${what} is ${value.length} characters long, more than the ${RULE_BUDGET.maxStringLength} a rule may build`);
  }
  return value;
}

/** Reads a literal path through own properties only: the prototype chain is never reached. */
function lookup(data: Data, path: unknown, notFound: unknown): unknown {
  if (path === undefined || path === '' || path === null) return data;
  if (typeof path !== 'string' && typeof path !== 'number') throw new UnsafeRuleError('a var path must be written out as a string, not computed');
  const text = String(path);
  if (hasForbiddenSegment(text)) throw new UnsafeRuleError(`path "${text}" reaches into object internals`);
  let current: unknown = data;
  for (const segment of text.split('.')) {
    if (current === null || current === undefined) return notFound;
    const holder = typeof current === 'object' ? current : Object(current);
    if (!Object.hasOwn(holder as object, segment)) return notFound;
    current = (holder as Record<string, unknown>)[segment];
    if (current === undefined) return notFound;
  }
  return current;
}

const ITERATORS = new Set(['map', 'filter', 'reduce', 'all', 'some', 'none']);

function apply(logic: unknown, data: Data, budget: Budget): unknown {
  step(budget);
  if (Array.isArray(logic)) return logic.map((l) => apply(l, data, budget));
  if (!isLogic(logic)) return logic;
  const op = Object.keys(logic)[0]!;
  const raw = logic[op];
  const args: unknown[] = Array.isArray(raw) ? raw : [raw];

  switch (op) {
    case 'var': {
      // Defence in depth: the checker refuses computed paths at save; refuse them here too.
      if (isLogic(args[0]) || Array.isArray(args[0])) throw new UnsafeRuleError('a var path must be written out as a string, not computed');
      const notFound = args.length > 1 ? apply(args[1], data, budget) : null;
      return lookup(data, args[0], notFound ?? null);
    }
    case 'if':
    case '?:': {
      let i = 0;
      for (; i < args.length - 1; i += 2) {
        if (truthy(apply(args[i], data, budget))) return apply(args[i + 1], data, budget);
      }
      return args.length === i + 1 ? apply(args[i], data, budget) : null;
    }
    case 'and': {
      let current: unknown;
      for (const a of args) {
        current = apply(a, data, budget);
        if (!truthy(current)) return current;
      }
      return current;
    }
    case 'or': {
      let current: unknown;
      for (const a of args) {
        current = apply(a, data, budget);
        if (truthy(current)) return current;
      }
      return current;
    }
  }
  if (ITERATORS.has(op)) return iterate(op, args, data, budget);

  const values = args.map((a) => apply(a, data, budget));
  const [a, b, c] = values as [any, any, any];
  switch (op) {
    case '==': return a == b;
    case '===': return a === b;
    case '!=': return a != b;
    case '!==': return a !== b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return c === undefined ? a < b : a < b && b < c;
    case '<=': return c === undefined ? a <= b : a <= b && b <= c;
    case '!!': return truthy(a);
    case '!': return !truthy(a);
    case '%': return a % b;
    // As json-logic-js: an empty string (falsy) contains nothing, not even "".
    case 'in': return Boolean(b) && (typeof b === 'string' || Array.isArray(b)) && (b as string | unknown[]).indexOf(a) !== -1;
    case 'cat': return checkString(values.map((v) => (v === null || v === undefined ? '' : String(v))).join(''), 'a cat result');
    case 'substr': {
      if (b === undefined && c === undefined) return String(a);
      if (c < 0) {
        const rest = String(a).substr(b);
        return rest.substr(0, rest.length + c);
      }
      return String(a).substr(b, c);
    }
    case '+': return values.reduce<number>((x, y) => parseFloat(x as never) + parseFloat(y as never), 0);
    case '*': return values.length === 1 ? values[0] : values.reduce((x, y) => parseFloat(x as never) * parseFloat(y as never));
    case '-': return b === undefined ? -a : a - b;
    case '/': return a / b;
    case 'min': return Math.min(...(values as number[]));
    case 'max': return Math.max(...(values as number[]));
    case 'merge': {
      // Sized before it is built: a doubling merge must not allocate the array it is refused for.
      checkSize(values.reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 1), 0), 'a merge result');
      return values.reduce<unknown[]>((acc, v) => acc.concat(v), []);
    }
    case 'missing': {
      const keys = Array.isArray(values[0]) ? (values[0] as unknown[]) : values;
      return keys.filter((key) => {
        const v = lookup(data, key, null);
        return v === null || v === '';
      });
    }
    case 'missing_some': {
      // As json-logic-js: a single option is one key, compared by its own length (a string's), if any.
      const options = checkArray(Array.isArray(b) ? (b as unknown[]) : [b], 'missing_some');
      const missing = options.filter((key) => {
        const v = lookup(data, key, null);
        return v === null || v === '';
      });
      const length = Array.isArray(b) || typeof b === 'string' ? b.length : undefined;
      return length !== undefined && length - missing.length >= (a as number) ? [] : missing;
    }
  }
  throw new UnsafeRuleError(`operator "${op}" is not allowed`);
}

function iterate(op: string, args: unknown[], data: Data, budget: Budget): unknown {
  const source = apply(args[0], data, budget);
  const body = args[1];
  if (op === 'reduce') {
    const initial = args[2] !== undefined ? apply(args[2], data, budget) : null;
    if (!Array.isArray(source)) return initial;
    return checkArray(source, 'the array a reduce walks').reduce(
      (accumulator: unknown, current: unknown) => apply(body, { current, accumulator }, budget),
      initial,
    );
  }
  if (!Array.isArray(source)) return op === 'none' ? true : op === 'map' || op === 'filter' ? [] : false;
  const items = checkArray(source, `the array a ${op} walks`);
  switch (op) {
    case 'map': return items.map((item) => apply(body, item, budget));
    case 'filter': return items.filter((item) => truthy(apply(body, item, budget)));
    case 'all': return items.length > 0 && items.every((item) => truthy(apply(body, item, budget)));
    case 'some': return items.some((item) => truthy(apply(body, item, budget)));
    default: return !items.some((item) => truthy(apply(body, item, budget)));
  }
}
