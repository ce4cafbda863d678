/** What one evaluation of a rule may cost; the checker refuses rules whose estimate exceeds it. */
export const RULE_BUDGET = {
  /** Operations evaluated in one evaluation (a filter on an order with 100 items: a few hundred). */
  maxSteps: 20_000,
  /** Items of any array a rule builds or walks. */
  maxArrayItems: 10_000,
  /** Characters of any string a rule builds. */
  maxStringLength: 100_000,
} as const;

/** How many items the static estimate assumes an array from the event holds. */
export const ASSUMED_ARRAY_ITEMS = 100;
