import { z } from 'zod';
import { checkRuleCost } from './cost.ts';

/**
 * json-logic operators a rule may use. json-logic-js dispatches on own properties of its
 * operator table, but `var` walks the prototype chain, so paths are checked too
 * (see FORBIDDEN_SEGMENTS). `method` (calls functions) and `log` (side effect) are left out.
 */
export const ALLOWED_OPERATORS = new Set([
  '==', '===', '!=', '!==', '>', '>=', '<', '<=', '!', '!!', 'or', 'and', 'if', '?:',
  'in', 'cat', 'substr', '+', '-', '*', '/', '%', 'min', 'max', 'merge',
  'var', 'missing', 'missing_some', 'some', 'all', 'none', 'map', 'filter', 'reduce',
]);

const FORBIDDEN_SEGMENTS = new Set([
  '__proto__',
  'constructor',
  'prototype',
  // Every object inherits these; `{"var": "hasOwnProperty"}` would hand a rule a function.
  ...Object.getOwnPropertyNames(Object.prototype),
]);
const MAX_DEPTH = 32;
const MAX_NODES = 2000;

export interface RuleProblem {
  path: (string | number)[];
  message: string;
}

export function hasForbiddenSegment(path: string): boolean {
  return path.split('.').some((segment) => FORBIDDEN_SEGMENTS.has(segment));
}

/** Checks a json-logic rule against the operator allow-list and unsafe paths; never throws. */
export function checkRule(rule: unknown): RuleProblem[] {
  const problems: RuleProblem[] = [];
  let visited = 0;
  const visit = (value: unknown, path: (string | number)[], depth: number): void => {
    if (++visited > MAX_NODES) {
      if (visited === MAX_NODES + 1) problems.push({ path, message: `rule is too large (more than ${MAX_NODES} parts)` });
      return;
    }
    if (depth > MAX_DEPTH) {
      problems.push({ path, message: `rule is nested deeper than ${MAX_DEPTH} levels` });
      return;
    }
    if (typeof value === 'string') {
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, [...path, i], depth + 1));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const keys = Object.keys(value);
    for (const key of keys) {
      if (FORBIDDEN_SEGMENTS.has(key)) problems.push({ path: [...path, key], message: `"${key}" is not allowed in a rule` });
    }
    if (keys.length !== 1) {
      problems.push({ path, message: 'an operation must have exactly one operator key, e.g. {"==": [a, b]}' });
      return;
    }
    const op = keys[0]!;
    if (FORBIDDEN_SEGMENTS.has(op)) return;
    if (!ALLOWED_OPERATORS.has(op)) {
      problems.push({ path: [...path, op], message: `operator "${op}" is not allowed` });
      return;
    }
    const args = (value as Record<string, unknown>)[op];
    if (op === 'missing' || op === 'missing_some') {
      // json-logic-js evaluates these arguments and then applies the result as a rule again,
      // so a computed argument lets event data act as logic ({"var": "constructor.constructor"}
      // inside an event would run). Paths here must be written out.
      const paths = op === 'missing_some' && Array.isArray(args) ? args[1] : args;
      const literal = (v: unknown) => typeof v === 'string' || typeof v === 'number';
      const countOk = op !== 'missing_some' || (Array.isArray(args) && args.length === 2 && typeof args[0] === 'number');
      if (!countOk || !(literal(paths) || (Array.isArray(paths) && paths.every(literal)))) {
        problems.push({ path: [...path, op], message: `${op} takes literal paths, e.g. {"${op}": ${op === 'missing' ? '["data.email"]' : '[1, ["data.email", "data.phone"]]'}}` });
        return;
      }
    }
    if (op === 'var' || op === 'missing' || op === 'missing_some') {
      for (const p of collectStrings(args)) {
        if (hasForbiddenSegment(p)) problems.push({ path: [...path, op], message: `path "${p}" reaches into object internals` });
      }
      if (op === 'var' && typeof args !== 'string' && typeof args !== 'number' && !Array.isArray(args) && args !== null) {
        problems.push({ path: [...path, op], message: 'var takes a path string' });
        return;
      }
      // A computed path ({"var": [{"var": "data.p"}]}) would let event data choose what to
      // read, "constructor.constructor" included: paths are written out, the default may be computed.
      const first = Array.isArray(args) ? args[0] : args;
      if (op === 'var' && first !== undefined && first !== null && typeof first !== 'string' && typeof first !== 'number') {
        problems.push({ path: [...path, op, ...(Array.isArray(args) ? [0] : [])], message: 'a var path must be written out as a string, e.g. {"var": "data.total"}, not computed by another operation' });
        return;
      }
    }
    visit(args, [...path, op], depth + 1);
  };
  visit(rule, [], 0);
  // Only a rule that is otherwise sound is costed: the estimate walks it as logic.
  if (problems.length === 0) problems.push(...checkRuleCost(rule));
  return problems;
}

function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(collectStrings);
  return [];
}

/** A json-logic rule in a schema: any JSON, refined by the allow-list. */
export const ruleSchema = z
  .unknown()
  .superRefine((rule, ctx) => {
    for (const p of checkRule(rule)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  })
  .meta({ description: 'json-logic rule; var paths address the event envelope, e.g. {"var": "data.to"}', format: 'json-logic' });
