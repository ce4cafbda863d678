import type { z } from 'zod';

/** Palette groups: `flow` steps repeat or wait, `data` steps fetch or compute values. */
export type NodeCategory = 'trigger' | 'logic' | 'flow' | 'data' | 'action';

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
  /** Output handle ids; a condition has `true` and `false`. For dynamic outputs, those every config has. */
  outputs: readonly string[];
  /**
   * Output handle ids that depend on the config (a switch: its case names, then `default`).
   * Takes the raw config, possibly invalid (the canvas calls it while someone types).
   */
  outputsFor?: (config: Record<string, unknown>) => readonly string[];
}

export function defineNode<S extends z.ZodType, const T extends string>(def: NodeDefinition<S, T>): NodeDefinition<S, T> {
  return def;
}

/** The output a failing step continues on when it is connected (webhook, http_request, code, campaign). */
export const ERROR_OUTPUT = 'error';
