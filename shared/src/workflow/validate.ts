import { isNodeType, isTriggerType, nodeDefinitions, type NodeType } from '../nodes/index.ts';
import { checkCodeSyntax } from './code-check.ts';
import { byCanvasOrder } from './branches.ts';
import { checkEdge } from './edge-rules.ts';
import type { GraphEdge, GraphNode, WorkflowGraph } from './graph.ts';

export interface GraphProblem {
  message: string;
  nodeId?: string;
  edgeId?: string;
  /** Path inside the node's config, e.g. "rule.and.0". */
  field?: string;
}

/** A node whose type is known and whose config passed its schema. */
export interface CheckedNode {
  id: string;
  type: NodeType;
  config: Record<string, unknown>;
}

export interface CheckedGraph {
  trigger: CheckedNode;
  nodes: Map<string, CheckedNode>;
  /**
   * nodeId → handle → the steps it leads to, in canvas order (branches.ts). Usually one;
   * several make a fork: each target starts its own branch of the run.
   */
  next: Map<string, Map<string, string[]>>;
}

export type GraphCheck = { ok: true; graph: CheckedGraph } | { ok: false; problems: GraphProblem[] };

/**
 * Everything a workflow must satisfy before it can be published: one trigger, known node
 * types with valid configs, edges between existing handles, no cycle, and forks (an output
 * connected to several steps) only where branches can run on their own (forkProblems).
 * Never throws, whatever the input.
 */
export function validateGraph(graph: WorkflowGraph, options: { blankValues?: boolean } = {}): GraphCheck {
  const problems: GraphProblem[] = [];
  const nodes = new Map<string, CheckedNode>();
  const seenIds = new Set<string>();

  for (const node of graph.nodes) {
    if (seenIds.has(node.id)) {
      problems.push({ nodeId: node.id, message: `two nodes share the id "${node.id}"` });
      continue;
    }
    seenIds.add(node.id);
    const checked = checkNode(node, problems);
    if (checked) nodes.set(node.id, checked);
    if (checked && options.blankValues !== false) problems.push(...blankValueProblems(checked), ...codeProblems(checked));
  }

  const triggers = graph.nodes.filter((n) => isTriggerType(n.type));
  if (triggers.length === 0) problems.push({ message: 'a workflow needs exactly one trigger; add a "When an event arrives" node' });
  for (const extra of triggers.slice(1)) {
    problems.push({ nodeId: extra.id, message: 'a workflow has exactly one trigger; remove this one' });
  }

  const next = new Map<string, Map<string, string[]>>();
  const incoming = new Set<string>();
  const edgeIds = new Set<string>();
  const byId = new Map<string, GraphNode>();
  for (const node of graph.nodes) if (!byId.has(node.id)) byId.set(node.id, node);
  for (const edge of graph.edges) {
    if (edgeIds.has(edge.id)) problems.push({ edgeId: edge.id, message: `two edges share the id "${edge.id}"` });
    edgeIds.add(edge.id);
    addEdge(edge, byId, next, incoming, problems);
  }

  for (const node of graph.nodes) {
    if (!isTriggerType(node.type) && seenIds.has(node.id) && !incoming.has(node.id) && isNodeType(node.type)) {
      problems.push({ nodeId: node.id, message: 'this step is not connected: nothing leads to it' });
    }
  }

  const cycleAt = findCycle(next);
  if (cycleAt) problems.push({ nodeId: cycleAt, message: 'the workflow loops back to this step; workflows must not contain cycles' });
  else {
    for (const outs of next.values()) for (const targets of outs.values()) targets.sort((a, b) => byCanvasOrder(byId.get(a), byId.get(b)));
    problems.push(...forkProblems(nodes, next));
  }

  const trigger = triggers.length === 1 ? nodes.get(triggers[0]!.id) : undefined;
  if (problems.length > 0 || !trigger) return { ok: false, problems };
  return { ok: true, graph: { trigger, nodes, next } };
}

const RULE_KEYS = ['rule', 'filter'];
const COMPARISONS: Record<string, string> = { '==': 'is', '===': 'is', '!=': 'is not', '!==': 'is not', '>': '>', '>=': '≥', '<': '<', '<=': '≤', in: 'is one of' };

/**
 * A rule the condition builder left half-filled (`sku is [blank]`) is valid json-logic, so
 * the schema accepts it, but it silently never matches: name it so Publish is blocked.
 * Published versions are loaded without this check (`blankValues: false`) so what already
 * runs keeps running.
 */
function blankValueProblems(node: CheckedNode): GraphProblem[] {
  const found: GraphProblem[] = [];
  for (const key of RULE_KEYS) {
    const rule = node.config[key];
    if (rule !== undefined) walkRule(rule, (message) => found.push({ nodeId: node.id, field: key, message }));
  }
  return found;
}

function walkRule(logic: unknown, report: (message: string) => void): void {
  if (Array.isArray(logic)) return logic.forEach((l) => walkRule(l, report));
  if (typeof logic !== 'object' || logic === null) return;
  for (const [op, args] of Object.entries(logic)) {
    const list = Array.isArray(args) ? args : [args];
    const label = COMPARISONS[op];
    if (label && list.length === 2) {
      const field = list.map(varName).find((v) => v !== undefined);
      if (field === '') report('a rule has no field: choose one, or remove the rule');
      else if (field !== undefined && list.some((a) => a === '' || (Array.isArray(a) && a.length === 0))) {
        report(`“${field.replace(/^data\./, '')} ${label} …” has no value: type one, or remove the rule (to test for a missing value, choose “is not set”)`);
      }
    }
    walkRule(list, report);
  }
}

/**
 * A code step that does not compile would fail on every run: caught here, in the editor as
 * it is typed and at publish, with the line. Like blank values, a draft check only.
 */
function codeProblems(node: CheckedNode): GraphProblem[] {
  if (node.type !== 'code' || typeof node.config.source !== 'string') return [];
  const error = checkCodeSyntax(node.config.source);
  return error ? [{ nodeId: node.id, field: 'source', message: `the code does not compile: ${error.message} on line ${error.line}` }] : [];
}

function varName(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg) || !('var' in arg)) return undefined;
  const v = (arg as { var: unknown }).var;
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
}

function checkNode(node: GraphNode, problems: GraphProblem[]): CheckedNode | undefined {
  if (!isNodeType(node.type)) {
    problems.push({ nodeId: node.id, field: 'type', message: `unknown node type "${node.type}"; known: ${Object.keys(nodeDefinitions).join(', ')}` });
    return undefined;
  }
  const parsed = nodeDefinitions[node.type].configSchema.safeParse(node.config);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ nodeId: node.id, field: issue.path.join('.') || undefined, message: issue.message });
    }
    return undefined;
  }
  return { id: node.id, type: node.type, config: parsed.data as Record<string, unknown> };
}

function addEdge(
  edge: GraphEdge,
  byId: Map<string, GraphNode>,
  next: Map<string, Map<string, string[]>>,
  incoming: Set<string>,
  problems: GraphProblem[],
) {
  const verdict = checkEdge(edge, byId.get(edge.source), byId.get(edge.target), {
    outputTaken: (source, handle, target) => next.get(source)?.get(handle)?.includes(target) === true,
  });
  if (!verdict.ok) {
    // an unknown type is already a problem on its node; cycles are found over the whole graph below
    if (verdict.rule !== 'unknown_type') problems.push({ edgeId: edge.id, ...(verdict.nodeId ? { nodeId: verdict.nodeId } : {}), message: verdict.message });
    return;
  }
  const outs = next.get(edge.source) ?? new Map<string, string[]>();
  outs.set(verdict.handle, [...(outs.get(verdict.handle) ?? []), edge.target]);
  next.set(edge.source, outs);
  incoming.add(edge.target);
}

/**
 * Where a fork may not be, so each branch can run on its own cursor (the run's branches):
 * - on a for_each's outputs, or anywhere inside its `each` body (an iteration is one path;
 *   fork before the loop, or after `done` through a step of its own);
 * - where its branches meet again: a step reachable from two targets of one fork would run
 *   once per branch. Each branch keeps to its own steps (use a copy of the shared step).
 * Called on an acyclic graph.
 */
function forkProblems(nodes: Map<string, CheckedNode>, next: Map<string, Map<string, string[]>>): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const reach = (from: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const targets of next.get(id)?.values() ?? []) stack.push(...targets);
    }
    return seen;
  };
  const inLoopBody = new Map<string, string>();
  for (const node of nodes.values()) {
    if (node.type !== 'for_each') continue;
    for (const target of next.get(node.id)?.get('each') ?? []) for (const id of reach(target)) if (!inLoopBody.has(id)) inLoopBody.set(id, node.id);
  }
  for (const [nodeId, outs] of next) {
    for (const [handle, targets] of outs) {
      if (targets.length < 2) continue;
      if (nodes.get(nodeId)?.type === 'for_each') {
        problems.push({ nodeId, message: `the loop's "${handle}" output leads to ${targets.length} steps; a for_each output leads to one step (fork after a step of its own)` });
        continue;
      }
      const loop = inLoopBody.get(nodeId);
      if (loop) {
        problems.push({ nodeId, message: `output "${handle}" leads to ${targets.length} steps inside the loop "${loop}"; branches cannot start inside a for_each's "each" steps (fork before the loop)` });
        continue;
      }
      const owner = new Map<string, string>();
      for (const target of targets) {
        for (const id of reach(target)) {
          const other = owner.get(id);
          if (other !== undefined && other !== target) {
            problems.push({ nodeId: id, message: `the branches "${other}" and "${target}" that start at "${nodeId}" meet again at this step; each branch keeps to its own steps (connect a copy of this step instead)` });
            break;
          }
          owner.set(id, target);
        }
      }
    }
  }
  return problems;
}

function findCycle(next: Map<string, Map<string, string[]>>): string | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): string | undefined => {
    const s = state.get(id);
    if (s === 'visiting') return id;
    if (s === 'done') return undefined;
    state.set(id, 'visiting');
    for (const targets of next.get(id)?.values() ?? []) {
      for (const target of targets) {
        const found = visit(target);
        if (found) return found;
      }
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of next.keys()) {
    const found = visit(id);
    if (found) return found;
  }
  return undefined;
}
