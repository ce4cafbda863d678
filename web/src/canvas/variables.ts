import { customerStateSchema, eventCatalog, findTrigger, isEventType } from '@tripline/shared';
import { z } from 'zod';
import { fieldsForEventType, fieldsFromJsonSchema, type FieldType } from '../condition-builder/fields.ts';
import type { JsonSchema } from '../forms/json-schema.ts';

/** A value a template (`{{data.total}}`) or a code step (`input.event.data.total`) can read at a step. */
export interface Variable {
  path: string;
  type: FieldType;
  /** Where it comes from, for the picker: "the event", "step lookup-1", "the loop". */
  source: string;
  description?: string;
}

interface NodeLike {
  id: string;
  type?: string;
  data: { config: Record<string, unknown>; label?: string };
}
interface EdgeLike {
  source: string;
  target: string;
  sourceHandle?: string | null;
}

const customerFields = fieldsFromJsonSchema(z.toJSONSchema(customerStateSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, 'customer.');

/** What each step that keeps a result leaves under vars (its `saveAs`, a transform's fields, a wait's `received`). */
function savedBy(node: NodeLike): Variable[] {
  const c = node.data.config;
  const source = `step ${node.data.label || node.id}`;
  const saveAs = typeof c.saveAs === 'string' && c.saveAs ? c.saveAs : undefined;
  switch (node.type) {
    case 'transform':
      return Object.keys((c.fields as Record<string, unknown> | undefined) ?? {}).map((k) => ({ path: `vars.${k}`, type: 'string', source }));
    case 'http_request':
      return saveAs ? ['status', 'headers', 'body'].map((k) => ({ path: `vars.${saveAs}.${k}`, type: k === 'status' ? 'number' : 'object', source }) as Variable) : [];
    case 'lookup':
      return saveAs ? (c.entity === 'customer' ? customerFields.map((f) => ({ ...f, path: f.path.replace(/^customer\./, `vars.${saveAs}.`), source })) : [{ path: `vars.${saveAs}`, type: 'object', source }]) : [];
    case 'code':
      return saveAs ? [{ path: `vars.${saveAs}`, type: 'unknown', source, description: 'what the code returned' }] : [];
    case 'wait_for_event':
      return [{ path: 'vars.received', type: 'object', source, description: 'the awaited event, on the received branch' }];
    default:
      return [];
  }
}

/**
 * Everything a step can read when it runs: the trigger's event (`data.*` from its schema in
 * the shared catalog, `type`, `subject`), the event's customer, what the steps before it
 * saved under `vars`, the loop's `item` and `index` inside a for_each's `each` branch, and
 * `error` on a path that went through an error output. "Before" means upstream on the graph,
 * so a branch never offers what another branch saved.
 */
export function variablesAt(nodeId: string, nodes: readonly NodeLike[], edges: readonly EdgeLike[]): Variable[] {
  const trigger = findTrigger(nodes);
  const eventType = typeof trigger?.data.config.eventType === 'string' ? trigger.data.config.eventType : undefined;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const incoming = new Map<string, EdgeLike[]>();
  for (const e of edges) incoming.set(e.target, [...(incoming.get(e.target) ?? []), e]);

  // walk upstream from the step: every step that can run before it, and how it was reached
  const seen = new Set<string>([nodeId]);
  const queue = [nodeId];
  const upstream: NodeLike[] = [];
  let inLoop: NodeLike | undefined;
  let afterError = false;
  while (queue.length) {
    const id = queue.shift()!;
    for (const e of incoming.get(id) ?? []) {
      const from = byId.get(e.source);
      if (e.sourceHandle === 'error') afterError = true;
      if (from?.type === 'for_each' && e.sourceHandle === 'each') inLoop ??= from;
      if (seen.has(e.source)) continue;
      seen.add(e.source);
      if (from) upstream.push(from);
      queue.push(e.source);
    }
  }

  const out: Variable[] = [];
  const event = eventType && isEventType(eventType) ? `the event (${eventType})` : 'the event';
  for (const f of fieldsForEventType(eventType)) out.push({ path: f.path, type: f.type, source: event, ...(f.description ? { description: f.description } : {}) });
  out.push({ path: 'type', type: 'string', source: event }, { path: 'occurredAt', type: 'string', source: event });
  for (const f of customerFields) out.push({ path: f.path, type: f.type, source: "the event's customer" });
  // nearest steps first: what was saved just before is most likely what is wanted
  for (const n of upstream) out.push(...savedBy(n));
  if (inLoop) {
    out.push(...loopItem(inLoop, eventType), { path: 'index', type: 'number', source: 'the loop', description: 'position of the item, from 0' });
  }
  if (afterError) out.push({ path: 'error.message', type: 'string', source: 'the failed step' }, { path: 'error.nodeId', type: 'string', source: 'the failed step' });
  const unique = new Map<string, Variable>();
  for (const v of out) if (!unique.has(v.path)) unique.set(v.path, v);
  return [...unique.values()];
}

/** `item` and, when the loop walks a list field of the event, the fields of its items. */
function loopItem(loop: NodeLike, eventType: string | undefined): Variable[] {
  const items = loop.data.config.items as { var?: unknown } | undefined;
  const listPath = typeof items?.var === 'string' ? items.var : undefined;
  const base: Variable = { path: 'item', type: 'object', source: 'the loop', description: `the current item${listPath ? ` of ${listPath}` : ''}` };
  if (!listPath?.startsWith('data.') || !eventType || !isEventType(eventType)) return [base];
  let schema = z.toJSONSchema(eventCatalog[eventType].schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema | undefined;
  for (const part of listPath.slice(5).split('.')) schema = schema?.properties?.[part];
  const itemSchema = schema?.items;
  if (!itemSchema?.properties) return [base];
  return [base, ...fieldsFromJsonSchema(itemSchema, 'item.').map((f) => ({ path: f.path, type: f.type, source: 'the loop' }))];
}

/** The same values as a code step's `input` sees them: input.event.data.total, input.vars.x, input.customer.ltv. */
export function codeInputPaths(vars: readonly Variable[]): Variable[] {
  const out: Variable[] = [{ path: 'input', type: 'object', source: '' }, { path: 'input.event', type: 'object', source: 'the event' }, { path: 'input.vars', type: 'object', source: 'steps before' }, { path: 'input.customer', type: 'object', source: "the event's customer" }];
  for (const v of vars) {
    if (v.path.startsWith('vars.') || v.path.startsWith('customer.')) out.push({ ...v, path: `input.${v.path}` });
    else if (v.path.startsWith('data.') || ['type', 'subject', 'source', 'occurredAt'].includes(v.path)) out.push({ ...v, path: `input.event.${v.path}` });
  }
  return out;
}
