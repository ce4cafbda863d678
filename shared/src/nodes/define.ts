import type { z } from 'zod';

export type NodeCategory = 'trigger' | 'logic' | 'action';

export interface NodeDefinition<S extends z.ZodType = z.ZodType, T extends string = string> {
  type: T;
  displayName: string;
  category: NodeCategory;
  description: string;
  configSchema: S;
  /** Default config for a node dropped on the canvas (may be incomplete: the inspector shows what is missing). */
  defaults: Record<string, unknown>;
  /** Input handle ids; empty for triggers. */
  inputs: readonly string[];
  /** Output handle ids; a condition has `true` and `false`. */
  outputs: readonly string[];
}

export function defineNode<S extends z.ZodType, const T extends string>(def: NodeDefinition<S, T>): NodeDefinition<S, T> {
  return def;
}
