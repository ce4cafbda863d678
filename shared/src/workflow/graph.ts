import { z } from 'zod';

const elementId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w-]+$/, 'letters, digits, _ and - only')
  .refine((id) => !['__proto__', 'constructor', 'prototype'].includes(id), 'reserved name');

/** A node as @xyflow/react stores it; `config` is checked per type by validateGraph. */
export const graphNodeSchema = z.object({
  id: elementId,
  type: z.string().min(1).max(50),
  config: z.record(z.string(), z.unknown()).default({}),
  position: z.object({ x: z.number().finite(), y: z.number().finite() }).optional(),
  label: z.string().max(200).optional(),
});

export const graphEdgeSchema = z.object({
  id: elementId,
  source: elementId,
  target: elementId,
  sourceHandle: z.string().max(50).nullish(),
});

/**
 * A sticky note on the canvas: text for people, saved with the graph, never a step. The
 * engine and validation read only `nodes` and `edges`, so a note cannot change what runs.
 */
export const graphNoteSchema = z.object({
  id: elementId,
  text: z.string().max(4000),
  position: z.object({ x: z.number().finite(), y: z.number().finite() }),
});

export const workflowGraphSchema = z.object({
  nodes: z.array(graphNodeSchema).max(2000),
  edges: z.array(graphEdgeSchema).max(4000),
  notes: z.array(graphNoteSchema).max(200).optional(),
});

export type GraphNode = z.infer<typeof graphNodeSchema>;
export type GraphEdge = z.infer<typeof graphEdgeSchema>;
export type GraphNote = z.infer<typeof graphNoteSchema>;
export type WorkflowGraph = z.infer<typeof workflowGraphSchema>;

export const workflowInputSchema = z.object({
  name: z.string().trim().min(1, 'a workflow needs a name').max(200),
  description: z.string().max(2000).optional(),
  graph: workflowGraphSchema,
});
export type WorkflowInput = z.infer<typeof workflowInputSchema>;
