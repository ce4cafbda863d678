import { z } from 'zod';
import { deliveryQuerySchema, endpointSchema, eventTypePatternSchema } from './endpoints.ts';
import { ruleSchema } from '../logic/rule.ts';

/**
 * The partner portal: a link (a bearer token scoped to some endpoints) that lets the team
 * receiving a store's webhooks see and manage only their endpoints, without an account.
 */

export const PORTAL_TOKEN_PREFIX = 'tlp_';
export const PORTAL_LINK_DEFAULT_MINUTES = 7 * 24 * 60;
export const PORTAL_LINK_MAX_MINUTES = 90 * 24 * 60;
export const PORTAL_DEFAULT_RATE_PER_MINUTE = 300;
/** A partner's recover: how far back `since` may reach, how many deliveries a call queues, how many calls a link makes an hour. */
export const PORTAL_RECOVER_WINDOW_HOURS = 72;
export const PORTAL_RECOVER_MAX = 500;
export const PORTAL_RECOVERS_PER_HOUR = 6;

/** An origin allowed to embed the portal page in an iframe (CSP frame-ancestors). */
export const frameAncestorSchema = z
  .string()
  .max(300)
  .regex(/^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i, 'an origin such as "https://shop.example.com" (scheme and host, optional port, no path)');

export const portalLinkCreateSchema = z.object({
  endpointIds: z.array(z.string().min(1).max(200)).min(1, 'name at least one endpoint').max(50),
  expiresInMinutes: z.number().int().min(1).max(PORTAL_LINK_MAX_MINUTES, 'at most 90 days (129600 minutes)').default(PORTAL_LINK_DEFAULT_MINUTES),
  name: z.string().trim().min(1).max(200).optional(),
  /** Origins that may show the page in an iframe; none (the default) forbids embedding. */
  frameAncestors: z.array(frameAncestorSchema).max(10).default([]),
  /** Requests a minute the portal API answers for this link before 429. */
  rateLimitPerMinute: z.number().int().min(1).max(10_000).default(PORTAL_DEFAULT_RATE_PER_MINUTE),
});
export type PortalLinkCreate = z.input<typeof portalLinkCreateSchema>;

export const portalLinkStatusSchema = z.enum(['active', 'expired', 'revoked']);

export const portalLinkSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  endpointIds: z.array(z.string()),
  /** The page, without the token (the token travels only in the URL fragment of the creation answer). */
  pageUrl: z.string(),
  tokenPrefix: z.string(),
  frameAncestors: z.array(z.string()),
  rateLimitPerMinute: z.number().int(),
  status: portalLinkStatusSchema,
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type PortalLink = z.infer<typeof portalLinkSchema>;

/** The creation answer: the only time the token is shown. `url` opens the page with it. */
export const portalLinkCreatedSchema = portalLinkSchema.extend({
  url: z.string().meta({ description: 'the page with the token in its fragment (#token=…): hand this to the partner' }),
  token: z.string().meta({ description: 'tlp_… bearer token for /api/v1/portal/*; shown only once' }),
});
export type PortalLinkCreated = z.infer<typeof portalLinkCreatedSchema>;

export const portalLinkQuerySchema = z.object({ endpointId: z.string().max(200).optional() });

/** What a partner may change on their endpoint: no headers, credentials or rate limits. */
export const portalEndpointInputSchema = z.object({
  url: z.string().max(2000),
  description: z.string().max(1000).optional(),
  eventTypes: z.array(eventTypePatternSchema).max(100).default([]),
  filter: ruleSchema.optional().nullable(),
  enabled: z.boolean().default(true),
});
export type PortalEndpointInput = z.input<typeof portalEndpointInputSchema>;

export const portalEndpointHealthSchema = z.object({
  attempts: z.number().int(),
  successRate: z.number().nullable(),
  p50LatencyMs: z.number().nullable(),
  lastFailureAt: z.string().nullable(),
  lastFailureError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
});

/** What a partner sees of an endpoint: the admin view's fields without limits, headers or auth. */
export const portalEndpointFieldsSchema = endpointSchema.pick({
  id: true,
  url: true,
  description: true,
  eventTypes: true,
  filter: true,
  enabled: true,
  disabledReason: true,
  failingSince: true,
  previousSecretExpiresAt: true,
  createdAt: true,
  updatedAt: true,
});

export const portalEndpointSchema = portalEndpointFieldsSchema.extend({ health: portalEndpointHealthSchema });

export type PortalEndpoint = z.infer<typeof portalEndpointSchema>;

export const portalDeliveryQuerySchema = deliveryQuerySchema.extend({
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

/** GET /api/v1/portal/session: who the link is, for the page's header. */
export const portalSessionSchema = z.object({
  linkId: z.string(),
  name: z.string().nullable(),
  expiresAt: z.string(),
  endpointIds: z.array(z.string()),
  /** Whose portal this is: the store's name and logo (a data: URL) from Settings → Partner portal. */
  store: z.object({ name: z.string().nullable(), logo: z.string().nullable() }),
});
export type PortalSession = z.infer<typeof portalSessionSchema>;

export const portalEventTypeSchema = z.object({
  type: z.string(),
  origin: z.enum(['raw', 'derived', 'system']),
  description: z.string(),
  schema: z.record(z.string(), z.unknown()),
  example: z.record(z.string(), z.unknown()),
  /** Whether one of the link's endpoints subscribes to it. */
  subscribed: z.boolean(),
  /** Whether it reaches one of the link's endpoints through a live workflow's webhook step (no subscription needed). */
  viaWorkflow: z.boolean(),
});
export type PortalEventType = z.infer<typeof portalEventTypeSchema>;

/** A partner's recover answer: `more` when the per-call count stopped it (call again for the rest). */
export const portalRecoverResultSchema = z.object({
  requeued: z.number().int(),
  missed: z.number().int(),
  more: z.boolean(),
});
