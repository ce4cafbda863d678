import { checkRule } from '@tripline/shared';
import jsonLogic from 'json-logic-js';

export class UnsafeRuleError extends Error {}

/**
 * Evaluates a json-logic rule. Rules are checked against the allow-list when a workflow is
 * saved or published; this check again here is cheap insurance for rules from other paths
 * (endpoint filters, segments) and is cached per rule object.
 */
const checked = new WeakSet<object>();

export function evaluate(rule: unknown, data: unknown): unknown {
  if (rule !== null && typeof rule === 'object' && !checked.has(rule)) {
    const problems = checkRule(rule);
    if (problems.length) throw new UnsafeRuleError(problems.map((p) => p.message).join('; '));
    checked.add(rule);
  }
  return jsonLogic.apply(rule as jsonLogic.RulesLogic, data);
}

export function truthy(value: unknown): boolean {
  return jsonLogic.truthy(value);
}

export function matches(rule: unknown, data: unknown): boolean {
  if (rule === undefined || rule === null) return true;
  return truthy(evaluate(rule, data));
}
