import { z } from 'zod';
import { workflowGraphSchema } from '../workflow/graph.ts';

export const graphProblemSchema = z.object({
  message: z.string(),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  field: z.string().optional(),
});

export const workflowSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  graph: workflowGraphSchema,
  /** Increments on every save of the draft; PUT must send the revision it edited. */
  revision: z.number().int(),
  enabled: z.boolean(),
  publishedVersion: z.number().int().nullable(),
  /** True when the draft differs from the published version. */
  hasUnpublishedChanges: z.boolean(),
  triggerEventType: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Workflow = z.infer<typeof workflowSchema>;

export const workflowUpdateSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(2000).nullable().optional(),
  graph: workflowGraphSchema.optional(),
  /** The revision this edit started from; a mismatch answers 409 instead of overwriting. */
  revision: z.number().int(),
});

export const publishSchema = z.object({
  /** Publish an older version again (roll back); omitted: publish the current draft. */
  version: z.number().int().positive().optional(),
});

export const workflowVersionSchema = z.object({
  version: z.number().int(),
  graph: workflowGraphSchema,
  publishedAt: z.string(),
  publishedBy: z.string().nullable(),
  /** Set when this version was published by rolling back: the version it restored. */
  rolledBackFrom: z.number().int().nullable(),
});
export type WorkflowVersion = z.infer<typeof workflowVersionSchema>;

/** What publishing did: `published: false` when the graph equals the live version (no new version). */
export const publishResultSchema = workflowSchema.extend({
  published: z.boolean(),
  /** For people: "Published version 3 (a rollback to v1)…" or "no changes since v2…". */
  message: z.string(),
  /** What publishes but rarely does what was meant (a level rule on every stock change); never blocks. */
  warnings: z.array(z.object({ nodeId: z.string().optional(), message: z.string() })).default([]),
});
export type PublishResult = z.infer<typeof publishResultSchema>;

export const dryRunRequestSchema = z.object({
  event: z.object({
    type: z.string().optional(),
    data: z.record(z.string(), z.unknown()),
    occurredAt: z.string().optional(),
  }),
  /** HTTP request steps call out for real (their other side effects still do not happen). */
  live: z.boolean().optional(),
  /**
   * How wait_for_event steps end: `timeout` (default), or `received`: the awaited event is
   * simulated (its catalog example, about the run's subject) and the run takes `received`.
   */
  waits: z.enum(['timeout', 'received']).optional(),
});

export const stepResultSchema = z.object({
  nodeId: z.string(),
  nodeType: z.string(),
  /** Inside a for_each: the index of the item this step ran for. */
  iteration: z.number().int().optional(),
  /** After a fork (an output leading to several steps): the branch that ran it, "1", "2", "1.2" (canvas order). */
  branch: z.string().optional(),
  status: z.enum(['running', 'waiting', 'succeeded', 'failed', 'skipped', 'cancelled']),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  error: z.string().nullable().optional(),
  attempts: z.number().int().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().nullable().optional(),
});
export type StepResult = z.infer<typeof stepResultSchema>;

export const dryRunResultSchema = z.object({
  path: z.array(z.string()),
  steps: z.array(stepResultSchema),
  /** `stopped`: the dry run reached its step or size budget (see `stoppedReason`); `steps` holds what ran until then. */
  status: z.enum(['succeeded', 'failed', 'waiting', 'skipped', 'stopped']),
  /** Why the trigger did not match, when it did not. */
  skippedReason: z.string().optional(),
  /** Which budget a stopped dry run reached, in words. */
  stoppedReason: z.string().optional(),
});
export type DryRunResult = z.infer<typeof dryRunResultSchema>;
