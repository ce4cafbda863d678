import { evaluateRule, RuleBudgetError, ruleMatches, truthy, UnsafeRuleError } from '@tripline/shared';

/**
 * The engine's view of rules: the one guarded evaluator in shared/src/logic (allow-list,
 * literal paths, a budget of steps, array items and string length). A condition that
 * fails to evaluate fails its step (the error propagates); a trigger filter or a segment
 * rule that fails to evaluate simply does not match.
 */
export { RuleBudgetError, truthy, UnsafeRuleError };

export function evaluate(rule: unknown, data: unknown): unknown {
  return evaluateRule(rule, data);
}

export function matches(rule: unknown, data: unknown): boolean {
  try {
    return ruleMatches(rule, data);
  } catch (error) {
    if (error instanceof RuleBudgetError || error instanceof UnsafeRuleError) return false;
    throw error;
  }
}
