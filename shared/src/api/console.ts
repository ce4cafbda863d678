import { z } from 'zod';

/** One notification on GET /api/v1/stream (Server-Sent Events, event name = kind). */
export const activityKinds = ['run', 'delivery', 'event'] as const;
export const activitySchema = z.object({
  kind: z.enum(activityKinds),
  id: z.string(),
  status: z.string().nullable().optional(),
  /** For events inserted in a batch: how many arrived (id is the newest). */
  count: z.number().int().optional(),
});
export type Activity = z.infer<typeof activitySchema>;

export const statsWindows = ['1h', '24h', '7d'] as const;
export const statsQuerySchema = z.object({ window: z.enum(statsWindows).default('24h') });
export type StatsWindow = (typeof statsWindows)[number];

export const statsSchema = z.object({
  window: z.enum(statsWindows),
  /** Bucket width of the series, in seconds (60 for 1h, 900 for 24h, 3600 for 7d). */
  bucketSeconds: z.number().int(),
  from: z.string(),
  to: z.string(),
  /** Events received per bucket, with the per-minute rate for charting. */
  events: z.array(z.object({ at: z.string(), count: z.number().int(), perMinute: z.number() })),
  /** Runs finished per bucket by outcome. */
  runs: z.array(z.object({ at: z.string(), succeeded: z.number().int(), failed: z.number().int() })),
  /** Delivery attempts per bucket by outcome. */
  attempts: z.array(z.object({ at: z.string(), succeeded: z.number().int(), failed: z.number().int() })),
  totals: z.object({
    events: z.number().int(),
    runsSucceeded: z.number().int(),
    runsFailed: z.number().int(),
    runsWaiting: z.number().int(),
    attemptsSucceeded: z.number().int(),
    attemptsFailed: z.number().int(),
    /** Deliveries failed for good or retrying after a failed attempt, updated in the window. */
    deliveriesFailing: z.number().int(),
    endpointsDisabled: z.number().int(),
    endpointsTotal: z.number().int(),
  }),
});
export type Stats = z.infer<typeof statsSchema>;

export const endpointHealthSchema = z.object({
  endpointId: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  failingSince: z.string().nullable(),
  /** Over the last 24 hours of attempts; null when there were none. */
  attempts: z.number().int(),
  successRate: z.number().nullable(),
  p50LatencyMs: z.number().nullable(),
  lastFailureAt: z.string().nullable(),
  lastFailureError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  /** The built-in test inbox this endpoint delivers to, if it is one. */
  inboxId: z.string().nullable(),
  /** Why deliveries cannot reach it now (the SSRF guard refuses its target), or null. */
  unreachable: z.string().nullable().optional(),
});
export type EndpointHealth = z.infer<typeof endpointHealthSchema>;

export const inboxCreateSchema = z.object({
  name: z.string().trim().min(1).max(200).default('Test inbox'),
  /** Event types the inbox's endpoint subscribes to; default every event. */
  eventTypes: z.array(z.string().max(100)).max(100).default(['*']),
});
export const inboxSchema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  endpointId: z.string().nullable(),
  createdAt: z.string(),
  messageCount: z.number().int(),
});
export type Inbox = z.infer<typeof inboxSchema>;
/** POST /api/v1/inboxes answers the inbox and, this once, its endpoint's signing secret. */
export const inboxCreatedSchema = inboxSchema.extend({ secret: z.string() });

export const inboxMessageSchema = z.object({
  id: z.number().int(),
  inboxId: z.string(),
  receivedAt: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  webhookId: z.string().nullable(),
  eventType: z.string().nullable(),
  signatureVerified: z.boolean(),
  verifyError: z.string().nullable(),
});
export type InboxMessage = z.infer<typeof inboxMessageSchema>;

export const simulatorStateSchema = z.object({
  enabled: z.boolean(),
  eventsPerSecond: z.number().min(0.1).max(50),
  updatedAt: z.string().optional(),
  updatedBy: z.string().nullable().optional(),
});
export const simulatorUpdateSchema = z.object({
  enabled: z.boolean(),
  eventsPerSecond: z.number().min(0.1).max(50).optional(),
});
export type SimulatorState = z.infer<typeof simulatorStateSchema>;

export const retentionSchema = z.object({
  retentionDays: z.number().int(),
  /** The audit log's own retention in effect: auditRetentionDays, never less than retentionDays. */
  auditRetentionDays: z.number().int(),
  lastPrune: z
    .object({ at: z.string(), runs: z.number().int(), events: z.number().int(), deliveries: z.number().int(), attempts: z.number().int() })
    .nullable(),
});
export type Retention = z.infer<typeof retentionSchema>;
