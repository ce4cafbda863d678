import { z } from 'zod';
import { ruleSchema } from '../logic/rule.ts';

/** `order.created`, `order.*` (every order event) or `*` (everything). */
export const eventTypePatternSchema = z
  .string()
  .max(100)
  .regex(/^(\*|[a-z][a-z0-9_]*\.(\*|[a-z][a-z0-9_]*))$/, 'an event type such as "order.created", a wildcard such as "order.*", or "*"');

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'a valid HTTP header name')
  .refine(
    (name) => !RESERVED_HEADERS.has(name.toLowerCase()) && !name.toLowerCase().startsWith('webhook-'),
    'this header is set by Tripline and cannot be overridden',
  );
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'authorization', 'user-agent']);

/**
 * Custom header values are secrets (partner keys go there): stored encrypted, answered as
 * this mask. Sending the mask back on update keeps the stored value.
 */
export const HEADER_VALUE_MASK = '••••••••';

export const endpointHeadersSchema = z
  .record(headerName, z.string().max(2000).regex(/^[^\r\n]*$/, 'no line breaks'))
  .default({})
  .meta({ description: `header name → value; values are kept encrypted and shown as "${HEADER_VALUE_MASK}": send the mask to keep a value` });

const pem = (what: string) => z.string().max(20_000).regex(/-----BEGIN [A-Z0-9 ]+-----/, `${what} in PEM format (-----BEGIN …-----)`);

/** How Tripline authenticates to the receiver, besides the Standard Webhooks signature. */
export const endpointAuthInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({
    kind: z.literal('oauth2'),
    tokenUrl: z.url({ protocol: /^https?$/ }).max(2000),
    clientId: z.string().min(1).max(500),
    /** Required when the method is first chosen; omit it on update to keep the stored one. */
    clientSecret: z.string().min(1).max(2000).optional(),
    scope: z.string().max(1000).optional(),
  }),
  z.object({
    kind: z.literal('mtls'),
    cert: pem('client certificate'),
    /** Required when the method is first chosen; omit it on update to keep the stored one. */
    key: pem('private key').optional(),
    ca: pem('CA certificate').optional(),
  }),
]);
export type EndpointAuthInput = z.infer<typeof endpointAuthInputSchema>;
/** What an endpoint row keeps of its auth in the clear: the input without its secrets (sealed apart). */
export type StoredEndpointAuth = EndpointAuthInput extends infer A ? (A extends unknown ? Omit<A, 'clientSecret' | 'key'> : never) : never;

/** The auth method as the API shows it: never the client secret or private key. */
export const endpointAuthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('oauth2'), tokenUrl: z.string(), clientId: z.string(), scope: z.string().optional(), hasClientSecret: z.boolean() }),
  z.object({ kind: z.literal('mtls'), cert: z.string(), ca: z.string().optional(), hasKey: z.boolean() }),
]);
export type EndpointAuth = z.infer<typeof endpointAuthSchema>;

/**
 * `none`: deliveries go out as they come, concurrently. `subject`: one subject's (one
 * customer's, one SKU's) deliveries to this endpoint go one at a time, in event order; a
 * failing one holds the later ones until it succeeds or is given up (Svix's FIFO endpoints).
 */
export const endpointOrderings = ['none', 'subject'] as const;
export const endpointOrderingSchema = z.enum(endpointOrderings).meta({ description: 'none: as they come; subject: one subject at a time, in event order' });
export type EndpointOrdering = z.infer<typeof endpointOrderingSchema>;

export const endpointInputSchema = z.object({
  url: z.string().max(2000),
  description: z.string().max(1000).optional(),
  eventTypes: z.array(eventTypePatternSchema).max(100).default([]),
  filter: ruleSchema.optional().nullable(),
  enabled: z.boolean().default(true),
  rateLimitPerSecond: z.number().int().min(1).max(10_000).nullable().optional(),
  maxConcurrency: z.number().int().min(1).max(1000).nullable().optional(),
  headers: endpointHeadersSchema,
  auth: endpointAuthInputSchema.default({ kind: 'none' }),
  ordering: endpointOrderingSchema.default('none'),
});
export type EndpointInput = z.input<typeof endpointInputSchema>;

export const endpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  eventTypes: z.array(z.string()),
  filter: z.unknown().nullable(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  disabledAt: z.string().nullable(),
  rateLimitPerSecond: z.number().int().nullable(),
  maxConcurrency: z.number().int().nullable(),
  /** Header names with every value masked (HEADER_VALUE_MASK): values never leave Tripline. */
  headers: z.record(z.string(), z.string()),
  auth: endpointAuthSchema,
  ordering: endpointOrderingSchema,
  /** Since when every attempt has failed; null while the endpoint is healthy. */
  failingSince: z.string().nullable(),
  /** Until when the previous secret still signs, after a rotation. */
  previousSecretExpiresAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Endpoint = z.infer<typeof endpointSchema>;

/** POST /api/v1/endpoints answers the endpoint and, this once, its signing secret. */
export const endpointCreatedSchema = endpointSchema.extend({
  secret: z.string().meta({ description: 'whsec_… signing secret; shown only once' }),
});

export const rotateSecretInputSchema = z.object({
  /** How long the previous secret keeps signing alongside the new one. */
  graceSeconds: z.number().int().min(0).max(7 * 86400).default(86400),
});
export const rotateSecretResultSchema = z.object({ secret: z.string(), previousSecretExpiresAt: z.string().nullable() });

export const testEndpointInputSchema = z.object({ eventType: z.string().min(1).max(100) });

export const recoverInputSchema = z.object({ since: z.iso.datetime({ offset: true }) });
export const recoverResultSchema = z.object({
  /** Failed or paused deliveries sent again. */
  requeued: z.number().int(),
  /** Events the endpoint subscribes to that it never got (it was disabled then), now sent. */
  missed: z.number().int(),
});

export const deliveryStatuses = ['pending', 'sending', 'succeeded', 'failed', 'paused'] as const;
export const deliveryStatusSchema = z.enum(deliveryStatuses);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

export const deliveryErrorClasses = ['timeout', 'refused', 'reset', 'tls', 'dns', 'ssrf_blocked', 'http_status', 'redirect', 'auth', 'other'] as const;

export const deliverySummarySchema = z.object({
  id: z.string().meta({ description: 'msg_…: the webhook-id header, the same across retries' }),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  runId: z.string().nullable(),
  nodeId: z.string().nullable(),
  status: deliveryStatusSchema,
  attemptCount: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  /** A pending delivery of an ordered endpoint held by an earlier one of its subject: that one's id (msg_…). */
  waitingFor: z.string().nullable().optional(),
});
export type DeliverySummary = z.infer<typeof deliverySummarySchema>;

export const deliveryAttemptSchema = z.object({
  attempt: z.number().int(),
  url: z.string(),
  requestHeaders: z.record(z.string(), z.string()),
  requestBody: z.string(),
  responseStatus: z.number().int().nullable(),
  responseHeaders: z.record(z.string(), z.string()).nullable(),
  responseBody: z.string().nullable(),
  durationMs: z.number().int(),
  outcome: z.enum(['succeeded', 'failed']),
  errorClass: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
});
export type DeliveryAttempt = z.infer<typeof deliveryAttemptSchema>;

export const deliveryDetailSchema = deliverySummarySchema.extend({
  payload: z.record(z.string(), z.unknown()),
  attempts: z.array(deliveryAttemptSchema),
});
export type DeliveryDetail = z.infer<typeof deliveryDetailSchema>;

/**
 * GET /api/v1/deliveries (the Deliveries page): every endpoint's deliveries, newest first.
 * `failing` is the dashboard's "deliveries failing": failed, or still retrying after an error.
 */
export const deliveryListQuerySchema = z.object({
  status: z.enum([...deliveryStatuses, 'failing']).optional(),
  endpointId: z.string().max(100).optional(),
  eventType: z.string().max(100).optional(),
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type DeliveryListQuery = z.infer<typeof deliveryListQuerySchema>;
export const deliveryListItemSchema = deliverySummarySchema.extend({ endpointName: z.string() });
export type DeliveryListItem = z.infer<typeof deliveryListItemSchema>;

export const deliveryQuerySchema = z.object({
  status: deliveryStatusSchema.optional(),
  eventType: z.string().max(100).optional(),
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
