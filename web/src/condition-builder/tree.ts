/**
 * json-logic ⇄ a tree the condition builder can draw: groups (all / any, optionally negated)
 * of rules (field, operator, value). The rule is the single source of truth: the builder
 * parses it on every render and writes a new rule on every edit. Any part it cannot show as a
 * rule becomes a `raw` leaf that carries the original logic untouched, so converting back
 * never loses or rewrites what someone wrote by hand.
 */

export type Literal = string | number | boolean | null;

export const comparisonOps = ['==', '!=', '>', '>=', '<', '<='] as const;
export type ComparisonOp = (typeof comparisonOps)[number];

export type Operator = ComparisonOp | 'in' | 'not_in' | 'contains' | 'not_contains' | 'is_set' | 'is_not_set';

export interface RuleLeaf {
  kind: 'rule';
  field: string;
  operator: Operator;
  /** A literal; for `in` / `not_in` a list of literals; unused for is_set / is_not_set. */
  value: Literal | Literal[];
}

export interface RawLeaf {
  kind: 'raw';
  logic: unknown;
}

export interface Group {
  kind: 'group';
  combinator: 'and' | 'or';
  /** Negated group: "none of" (not any) / "not all". */
  not: boolean;
  /**
   * Set when the rule was a single condition without an and/or around it: the builder shows
   * it inside a group, and writes it back bare while it stays the only child.
   */
  implicit: boolean;
  children: TreeNode[];
}

export type TreeNode = Group | RuleLeaf | RawLeaf;

export const operatorLabels: Record<Operator, string> = {
  '==': 'is',
  '!=': 'is not',
  '>': '>',
  '>=': '≥',
  '<': '<',
  '<=': '≤',
  in: 'is one of',
  not_in: 'is not one of',
  contains: 'contains',
  not_contains: 'does not contain',
  is_set: 'is set',
  is_not_set: 'is not set',
};

export function isLiteral(value: unknown): value is Literal {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function single(value: unknown): [string, unknown] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  return [keys[0]!, (value as Record<string, unknown>)[keys[0]!]];
}

/** `{"var": "data.x"}` → "data.x"; anything else (defaults, numbers, nesting) → undefined. */
function varPath(value: unknown): string | undefined {
  const op = single(value);
  if (!op || op[0] !== 'var' || typeof op[1] !== 'string') return undefined;
  return op[1];
}

/** One json-logic expression → a rule leaf, or undefined when it is not one we can show. */
function parseLeaf(logic: unknown): RuleLeaf | undefined {
  const op = single(logic);
  if (!op) return undefined;
  const [name, args] = op;
  if ((comparisonOps as readonly string[]).includes(name)) {
    if (!Array.isArray(args) || args.length !== 2) return undefined;
    const field = varPath(args[0]);
    if (field === undefined || !isLiteral(args[1])) return undefined;
    return { kind: 'rule', field, operator: name as ComparisonOp, value: args[1] };
  }
  if (name === 'in') {
    if (!Array.isArray(args) || args.length !== 2) return undefined;
    const field = varPath(args[0]);
    if (field !== undefined && Array.isArray(args[1]) && args[1].every(isLiteral)) {
      return { kind: 'rule', field, operator: 'in', value: args[1] as Literal[] };
    }
    const container = varPath(args[1]);
    if (container !== undefined && isLiteral(args[0])) return { kind: 'rule', field: container, operator: 'contains', value: args[0] };
    return undefined;
  }
  if (name === '!!') {
    const field = varPath(args);
    return field === undefined ? undefined : { kind: 'rule', field, operator: 'is_set', value: null };
  }
  if (name === '!') {
    const field = varPath(args);
    if (field !== undefined) return { kind: 'rule', field, operator: 'is_not_set', value: null };
    const inner = parseLeaf(args);
    if (inner?.operator === 'in') return { ...inner, operator: 'not_in' };
    if (inner?.operator === 'contains') return { ...inner, operator: 'not_contains' };
    return undefined;
  }
  return undefined;
}

function parseGroup(logic: unknown): Group | undefined {
  const op = single(logic);
  if (!op) return undefined;
  const [name, args] = op;
  if ((name === 'and' || name === 'or') && Array.isArray(args)) {
    return { kind: 'group', combinator: name, not: false, implicit: false, children: args.map(parseNode) };
  }
  if (name === '!') {
    const inner = parseGroup(args);
    if (inner && !inner.not) return { ...inner, not: true };
  }
  return undefined;
}

function parseNode(logic: unknown): TreeNode {
  return parseGroup(logic) ?? parseLeaf(logic) ?? { kind: 'raw', logic };
}

/** The root is always a group, so the builder always has somewhere to add a rule. */
export function ruleToTree(rule: unknown): Group {
  if (rule === undefined || rule === null) return { kind: 'group', combinator: 'and', not: false, implicit: false, children: [] };
  const group = parseGroup(rule);
  if (group) return group;
  return { kind: 'group', combinator: 'and', not: false, implicit: true, children: [parseNode(rule)] };
}

function leafToRule(leaf: RuleLeaf): unknown {
  const field = { var: leaf.field };
  switch (leaf.operator) {
    case 'in':
      return { in: [field, Array.isArray(leaf.value) ? leaf.value : [leaf.value]] };
    case 'not_in':
      return { '!': { in: [field, Array.isArray(leaf.value) ? leaf.value : [leaf.value]] } };
    case 'contains':
      return { in: [Array.isArray(leaf.value) ? (leaf.value[0] ?? '') : leaf.value, field] };
    case 'not_contains':
      return { '!': { in: [Array.isArray(leaf.value) ? (leaf.value[0] ?? '') : leaf.value, field] } };
    case 'is_set':
      return { '!!': field };
    case 'is_not_set':
      return { '!': field };
    default:
      return { [leaf.operator]: [field, Array.isArray(leaf.value) ? (leaf.value[0] ?? null) : leaf.value] };
  }
}

export function treeToRule(node: TreeNode): unknown {
  if (node.kind === 'raw') return node.logic;
  if (node.kind === 'rule') return leafToRule(node);
  if (node.implicit && !node.not && node.children.length === 1) return treeToRule(node.children[0]!);
  const inner = { [node.combinator]: node.children.map(treeToRule) };
  return node.not ? { '!': inner } : inner;
}

/** Address of a node in the tree: child indexes from the root. */
export type TreePath = number[];

export function getAt(root: Group, path: TreePath): TreeNode | undefined {
  let node: TreeNode = root;
  for (const i of path) {
    if (node.kind !== 'group') return undefined;
    const child: TreeNode | undefined = node.children[i];
    if (!child) return undefined;
    node = child;
  }
  return node;
}

/** A copy of the tree with the node at `path` replaced (or removed, when `next` is undefined). */
export function updateAt(root: Group, path: TreePath, next: TreeNode | undefined): Group {
  if (path.length === 0) {
    if (next?.kind === 'group') return next;
    return { ...root, children: [] };
  }
  const [head, ...rest] = path as [number, ...number[]];
  const children = [...root.children];
  if (rest.length === 0) {
    if (next === undefined) children.splice(head, 1);
    else children[head] = next;
  } else {
    const child = children[head];
    if (child?.kind !== 'group') return root;
    children[head] = updateAt(child, rest, next);
  }
  // once a second child arrives, the group is a real and/or and is written as one
  const implicit = root.implicit && children.length <= 1;
  return { ...root, implicit, children };
}

export function appendAt(root: Group, path: TreePath, child: TreeNode): Group {
  const group = getAt(root, path);
  if (group?.kind !== 'group') return root;
  return updateAt(root, path, { ...group, implicit: false, children: [...group.children, child] });
}

export function newRule(field = ''): RuleLeaf {
  return { kind: 'rule', field, operator: '==', value: '' };
}

export function newGroup(combinator: 'and' | 'or' = 'and'): Group {
  return { kind: 'group', combinator, not: false, implicit: false, children: [newRule()] };
}

/** How a description names fields and values; by default, paths without `data.` and values as stored. */
export interface RuleWords {
  field: (path: string) => string;
  value: (value: Literal) => string;
}
const plainWords: RuleWords = { field: (p) => p.replace(/^data\./, ''), value: (v) => String(v) };

/**
 * "to is gold and segments does not contain wholesale": for diffs and the audit log; node
 * summaries pass `words` to read "New tier is Gold" (condition-builder/labels.ts).
 */
export function describeRule(rule: unknown, max = 80, words: RuleWords = plainWords): string {
  const text = describeNode(ruleToTree(rule), words);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function describeNode(node: TreeNode, words: RuleWords): string {
  if (node.kind === 'raw') return JSON.stringify(node.logic) ?? '';
  if (node.kind === 'rule') {
    const field = words.field(node.field) || '(field)';
    if (node.operator === 'is_set' || node.operator === 'is_not_set') return `${field} ${operatorLabels[node.operator]}`;
    const value = Array.isArray(node.value) ? node.value.map(words.value).join(', ') : words.value(node.value);
    return `${field} ${operatorLabels[node.operator]} ${value}`;
  }
  if (node.children.length === 0) return '(no rules yet)';
  const joined = node.children.map((c) => (c.kind === 'group' && c.children.length > 1 ? `(${describeNode(c, words)})` : describeNode(c, words))).join(node.combinator === 'and' ? ' and ' : ' or ');
  return node.not ? `not (${joined})` : joined;
}
