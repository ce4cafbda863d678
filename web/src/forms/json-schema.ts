import type { z } from 'zod';
import { z as zod } from 'zod';

/** The subset of JSON Schema (draft 2020-12, as z.toJSONSchema writes it) the forms understand. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  /** Tripline's extension (zod `.meta({visibleWhen})`): show the field only when these sibling values match. */
  visibleWhen?: Record<string, unknown>;
}

export type FieldKind = 'widget' | 'enum' | 'string' | 'integer' | 'number' | 'boolean' | 'record' | 'list' | 'json';

export interface FormField {
  name: string;
  label: string;
  description?: string;
  required: boolean;
  kind: FieldKind;
  schema: JsonSchema;
}

const cache = new WeakMap<z.ZodType, JsonSchema>();

/** A zod schema as JSON Schema, computed once per schema (forms render often). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let hit = cache.get(schema);
  if (!hit) {
    hit = zod.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    cache.set(schema, hit);
  }
  return hit;
}

function primaryType(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
}

/**
 * How each property of an object schema is edited, in declaration order. A field with
 * `visibleWhen` is left out while its siblings don't match, unless it already holds a value
 * (nothing set is ever hidden).
 */
export function formFields(schema: JsonSchema, widgetFormats: ReadonlySet<string> = new Set(), values: Record<string, unknown> = {}): FormField[] {
  schema = chosenBranch(schema, values);
  const required = new Set(schema.required ?? []);
  const visible = ([name, prop]: [string, JsonSchema]) =>
    !prop.visibleWhen || values[name] !== undefined || Object.entries(prop.visibleWhen).every(([k, v]) => values[k] === v);
  return Object.entries(schema.properties ?? {}).filter(visible).map(([name, prop]) => {
    let kind: FieldKind;
    const type = primaryType(prop);
    if (prop.format && widgetFormats.has(prop.format)) kind = 'widget';
    else if (prop.enum) kind = 'enum';
    else if (type === 'string') kind = 'string';
    else if (type === 'integer') kind = 'integer';
    else if (type === 'number') kind = 'number';
    else if (type === 'boolean') kind = 'boolean';
    else if (type === 'object' && typeof prop.additionalProperties === 'object' && primaryType(prop.additionalProperties) === 'string') kind = 'record';
    else if (type === 'array' && prop.items && primaryType(prop.items) === 'string') kind = 'list';
    else kind = 'json';
    const field: FormField = { name, label: prop.title ?? humanize(name), required: required.has(name), kind, schema: prop };
    if (prop.description) field.description = prop.description;
    return field;
  });
}

/**
 * A discriminated union (zod's `discriminatedUnion`, written as `oneOf` of objects that
 * share a `const` property) as one object form: the discriminator becomes a select of every
 * branch's value, followed by the fields of the branch the values choose (the first when
 * none is chosen yet). Anything else is returned as it is.
 */
export function chosenBranch(schema: JsonSchema, values: Record<string, unknown>): JsonSchema {
  const branches = schema.oneOf ?? schema.anyOf;
  if (!branches?.length || !branches.every((b) => b.properties)) return schema;
  const key = Object.keys(branches[0]!.properties!).find((k) => branches.every((b) => b.properties![k]?.const !== undefined));
  if (!key) return schema;
  const chosen = branches.find((b) => b.properties![key]!.const === values[key]) ?? branches[0]!;
  const discriminator: JsonSchema = { type: 'string', title: chosen.properties![key]!.title, enum: branches.map((b) => b.properties![key]!.const) };
  // Fields before the discriminator in the branch stay before it (a store picker, then the action).
  const properties: Record<string, JsonSchema> = {};
  for (const [name, prop] of Object.entries(chosen.properties!)) properties[name] = name === key ? discriminator : prop;
  return { ...chosen, properties, required: [...new Set([...(chosen.required ?? []), key])] };
}

export function humanize(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A number input's text → the config value: empty is "not set", junk keeps the old value. */
export function parseNumberInput(text: string, integer: boolean, previous: unknown): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  if (!Number.isFinite(n)) return typeof previous === 'number' ? previous : undefined;
  return integer ? Math.trunc(n) : n;
}

/** Sets or removes (undefined) one key, returning a new object. */
export function withField(config: Record<string, unknown>, name: string, value: unknown): Record<string, unknown> {
  const next = { ...config };
  if (value === undefined) delete next[name];
  else next[name] = value;
  return next;
}
