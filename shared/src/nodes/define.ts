import type { z } from 'zod';

/**
 * Palette groups: `trigger` steps start a run (no inputs; a workflow has exactly one),
 * `flow` steps repeat or wait, `data` steps fetch or compute values.
 */
export type NodeCategory = 'trigger' | 'logic' | 'flow' | 'data' | 'action';

/** How a category looks and where it sits in the palette: one entry per category, so a new one must say. */
export const nodeCategories: Record<NodeCategory, { title: string; colour: string; icon: string }> = {
  trigger: { title: 'Triggers', colour: '#f59e0b', icon: '⚡' },
  logic: { title: 'Logic', colour: '#8b5cf6', icon: '◆' },
  action: { title: 'Actions', colour: '#2f6fed', icon: '➜' },
  flow: { title: 'Loops and waits', colour: '#0e9384', icon: '↻' },
  data: { title: 'Data', colour: '#b54708', icon: '⇅' },
};

/**
 * A config as typed so far: the keys of the schema, values unchecked (a summary runs while
 * someone types, before the config is valid). A renamed field fails to compile in its summary.
 */
export type DraftConfig<C> = { readonly [K in keyof C]?: unknown };

/** What a summary may ask of whoever shows it: rules in plain words, names of things it has loaded. */
export interface SummaryContext {
  rule(rule: unknown, max?: number): string;
  endpointName(id: string): string | undefined;
  campaignName(id: string): string | undefined;
}

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
  /**
   * One line under the node's title saying what it does ("TEE-BLK-M < 10"), from its config
   * as typed so far. Required: every node type on the canvas says what it does.
   * (Method syntax: a definition of one schema stands in for the general NodeDefinition.)
   */
  summary(config: DraftConfig<z.infer<S>>, context: SummaryContext): string;
  /**
   * The output a finished step left on, read from its recorded output, when the output says
   * so (a condition's result, a switch's case); otherwise the run view infers it from the
   * step that ran next.
   */
  takenOutput?(output: Record<string, unknown>): string | undefined;
}

export function defineNode<S extends z.ZodType, const T extends string>(def: NodeDefinition<S, T>): NodeDefinition<S, T> {
  return def;
}

/** The output a failing step continues on when it is connected (webhook, http_request, code, campaign). */
export const ERROR_OUTPUT = 'error';

/** A duration as people say it: "1 h", "3 days", "90 s". */
export function humanSeconds(s: number): string {
  if (s % 86400 === 0) return `${s / 86400} day${s === 86400 ? '' : 's'}`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

/** A config value as text for a summary: strings as they are, anything else as `fallback`. */
export const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
