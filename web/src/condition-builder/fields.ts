import { eventCatalog, isEventType } from '@tripline/shared';
import { z } from 'zod';
import type { JsonSchema } from '../forms/json-schema.ts';
import { fieldLabel, knownValuesFor, type KnownValues } from './labels.ts';
import type { Literal } from './tree.ts';

export type FieldType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'unknown';

/** A field a condition can test, addressed as a json-logic `var` path over the envelope. */
export interface EventField {
  path: string;
  type: FieldType;
  enum?: Literal[];
  /** For arrays: the type of the items (for "contains"). */
  itemType?: FieldType;
  itemEnum?: Literal[];
  required: boolean;
  description?: string;
  /** As people say it on this event ("New tier"); the builder shows it, the rule stores `path`. */
  label?: string;
  /** A workspace list its values come from (tiers, segments): offered as a dropdown. */
  known?: KnownValues;
}

function typeOf(schema: JsonSchema | undefined): FieldType {
  if (!schema) return 'unknown';
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
  if (t === 'integer' || t === 'number') return 'number';
  if (t === 'string' || t === 'boolean' || t === 'array' || t === 'object') return t;
  if (schema.enum?.every((v) => typeof v === 'string')) return 'string';
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) {
    const types = new Set(variants.map(typeOf).filter((x) => x !== 'unknown'));
    if (types.size === 1) return [...types][0]!;
  }
  return 'unknown';
}

function enumOf(schema: JsonSchema | undefined): Literal[] | undefined {
  if (!schema) return undefined;
  if (schema.enum) return schema.enum as Literal[];
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.every((v) => v.const !== undefined)) return variants.map((v) => v.const as Literal);
  return undefined;
}

/** Flattens a JSON Schema object into var paths (nested objects become "a.b"; arrays stay whole). */
export function fieldsFromJsonSchema(schema: JsonSchema, prefix: string, depth = 0): EventField[] {
  const out: EventField[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    const type = typeOf(prop);
    if (type === 'object' && prop.properties && depth < 2) {
      out.push(...fieldsFromJsonSchema(prop, `${path}.`, depth + 1));
      continue;
    }
    const field: EventField = { path, type, required: required.has(name) };
    const values = enumOf(prop);
    if (values) field.enum = values;
    if (type === 'array') {
      field.itemType = typeOf(prop.items);
      const itemValues = enumOf(prop.items);
      if (itemValues) field.itemEnum = itemValues;
    }
    if (prop.description) field.description = prop.description;
    out.push(field);
  }
  return out;
}

const cache = new Map<string, EventField[]>();

/**
 * The fields a condition can test for events of one type: the event's `data` (from its
 * schema in the shared catalog) plus the envelope's subject and source. Unknown type: just
 * the envelope fields.
 */
export function fieldsForEventType(eventType: string | undefined): EventField[] {
  const key = eventType ?? '';
  const hit = cache.get(key);
  if (hit) return hit;
  const envelope: EventField[] = [
    { path: 'subject', type: 'string', required: false, description: 'the id the event is about (customer, order, SKU)' },
    { path: 'source', type: 'string', required: true, description: 'where the event came from' },
  ];
  let fields = envelope;
  if (eventType && isEventType(eventType)) {
    const schema = z.toJSONSchema(eventCatalog[eventType].schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    fields = [...fieldsFromJsonSchema(schema, 'data.'), ...envelope];
  }
  fields = fields.map((f) => {
    const known = knownValuesFor(f.path, eventType);
    return { ...f, label: fieldLabel(f.path, eventType), ...(known ? { known } : {}) };
  });
  cache.set(key, fields);
  return fields;
}
