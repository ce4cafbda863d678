import { z } from 'zod';
import { workflowGraphSchema } from '../workflow/graph.ts';
import { stepResultSchema } from './workflows.ts';

export const runStatuses = ['running', 'waiting', 'succeeded', 'failed', 'cancelled'] as const;
export const runStatusSchema = z.enum(runStatuses);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const runSummarySchema = z.object({
  id: z.string(),
  workflowId: z.string(),
  workflowName: z.string(),
  version: z.number().int(),
  eventId: z.string(),
  eventType: z.string(),
  subject: z.string().nullable(),
  status: runStatusSchema,
  currentNode: z.string().nullable(),
  error: z.string().nullable(),
  depth: z.number().int(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** The version the run started on when a retry moved it to the live version (`version` is then the live one); null otherwise. */
  firstVersion: z.number().int().nullable(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

/**
 * One branch of a forked run (an output that leads to several steps starts one per step):
 * where it stands and how it ended, each reported on its own. `forked`: it ended by forking
 * again (its own branches carry on, "2" → "2.1", "2.2"); `cancelled`: the run was cancelled while it was open.
 */
export const runBranchSchema = z.object({
  id: z.string(),
  status: z.enum(['running', 'waiting', 'succeeded', 'failed', 'forked', 'cancelled']),
  /** The step it stands at (running, waiting), failed at (failed), or forked at. */
  nodeId: z.string().nullable(),
  /** Where it started: the first step of the branch. */
  startNodeId: z.string(),
  error: z.string().nullable(),
});
export type RunBranch = z.infer<typeof runBranchSchema>;

export const runDetailSchema = runSummarySchema.extend({
  /** A forked run's branches in canvas order; empty for a run that never forked. */
  branches: z.array(runBranchSchema),
  /** The workflow's live (published) version now, to offer "retry with the live version" when it differs. */
  liveVersion: z.number().int().nullable(),
  graph: workflowGraphSchema,
  steps: z.array(stepResultSchema),
  event: z.record(z.string(), z.unknown()).nullable(),
  deliveries: z.array(
    z.object({ id: z.string(), endpointId: z.string(), nodeId: z.string().nullable(), iteration: z.number().int().optional(), status: z.string(), attemptCount: z.number().int() }),
  ),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

/**
 * POST /runs/:id/retry: `as_ran` retries the failed step on the version the run used (the
 * default); `live` moves the run to the workflow's published version first (after a fix).
 */
export const runRetrySchema = z.object({ use: z.enum(['as_ran', 'live']).default('as_ran') });
export type RunRetry = z.infer<typeof runRetrySchema>;

/** Query of GET /api/v1/runs: filters and a keyset cursor (`before` = the last seq seen). */
export const runQuerySchema = z.object({
  workflowId: z.string().optional(),
  status: runStatusSchema.optional(),
  eventType: z.string().optional(),
  subject: z.string().optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const pageSchema = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });
