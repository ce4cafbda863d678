import { z } from 'zod';
import { portalBrandingSchema } from './branding.ts';
import { nodeTypes, type NodeType } from './nodes/index.ts';

/**
 * The step types a marketer may add or change when not restricted further by an admin: the
 * ones that react to events and reach people through campaigns and existing endpoints. Code,
 * HTTP calls with credentials, lookups and transforms stay with editors.
 */
export const defaultMarketerStepTypes: NodeType[] = ['trigger', 'schedule', 'condition', 'switch', 'delay', 'wait_for_event', 'campaign', 'webhook', 'email'];


/** Every admin-editable setting: its schema and default. Engine, API and UI read this one table. */
export const settingSchemas = {
  ltvTiers: z
    .array(z.object({ name: z.string().min(1).max(50), min: z.number().nonnegative() }))
    .min(1)
    .max(20)
    .refine((tiers) => tiers.every((t, i) => i === 0 || t.min > tiers[i - 1]!.min), 'tiers must be in increasing order of min')
    .default([
      { name: 'bronze', min: 0 },
      { name: 'silver', min: 200 },
      { name: 'gold', min: 500 },
      { name: 'platinum', min: 2000 },
    ]),
  lifecycle: z
    .object({
      repeatOrders: z.number().int().min(2).default(2),
      loyalOrders: z.number().int().min(3).default(5),
      atRiskDays: z.number().int().min(1).default(60),
      lapsedDays: z.number().int().min(2).default(120),
    })
    .default({ repeatOrders: 2, loyalOrders: 5, atRiskDays: 60, lapsedDays: 120 }),
  cartAbandonMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
  retentionDays: z.number().int().min(1).max(3650).default(30),
  /**
   * How long the audit log is kept: longer than history (never less than retentionDays, which
   * wins when set higher), bounded, and exportable before it goes (GET /api/v1/audit.csv?until=…).
   */
  auditRetentionDays: z.number().int().min(1).max(3650).default(365),
  maxChainDepth: z.number().int().min(1).max(20).default(5),
  /**
   * Addresses or CIDR ranges that may scrape /metrics without a token (e.g. "10.0.0.5",
   * "10.0.0.0/24"). Empty by default: metrics need TRIPLINE_METRICS_TOKEN or the API key.
   * Matched against the client address (X-Forwarded-For from a loopback proxy counts).
   */
  metricsAllowList: z
    .array(z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'an IP address or CIDR range, e.g. "10.0.0.0/24"'))
    .max(100)
    .default([]),
  /** Which step types a marketer may add to or change in a workflow (checked at save and publish). */
  marketerStepTypes: z
    .array(z.enum(nodeTypes as [NodeType, ...NodeType[]], { message: `a step type: one of ${nodeTypes.join(', ')}` }))
    .max(50)
    .refine((types) => new Set(types).size === types.length, 'each step type once')
    .default(defaultMarketerStepTypes),
  /**
   * Email and Slack messages (steps and alerts) started per minute, across every process:
   * over it, messages wait their turn rather than being dropped. Per workflow too, so one
   * busy workflow cannot use up the rest's share or get a mail server to block the store.
   */
  /** The store's IANA time zone: schedules without their own zone run in it. */
  storeTimezone: z
    .string()
    .max(100)
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'an IANA time zone such as "Europe/Paris" or "UTC"')
    .default('UTC'),
  /**
   * How far back a schedule's missed due times are caught up after Tripline was down (or
   * every worker was busy): each due time within it fires once, late; older ones are skipped.
   */
  scheduleCatchUpMinutes: z.number().int().min(0).max(7 * 24 * 60).default(60),
  /**
   * Alerts (Settings → Alerts): what Tripline already knows is wrong, sent without building
   * a workflow, by email and/or to a Slack webhook credential. Nothing is sent until an
   * address or a credential is set.
   */
  alerts: z
    .object({
      email: z.array(z.email('an email address')).max(20).default([]),
      slackCredential: z
        .string()
        .regex(/^[A-Za-z_]\w{0,49}$/, 'a credential name')
        .nullable()
        .default(null),
      endpoints: z.boolean().default(true),
      runs: z.boolean().default(true),
      sources: z.boolean().default(true),
      backlog: z.boolean().default(true),
      /** The oldest event still waiting to be processed, in minutes, before it is an alert. */
      backlogMinutes: z.number().int().min(1).max(24 * 60).default(10),
    })
    .default({ email: [], slackCredential: null, endpoints: true, runs: true, sources: true, backlog: true, backlogMinutes: 10 }),
  /** The store's name and logo in the partner portal's header (branding.ts). */
  portalBranding: portalBrandingSchema,
  notifySendsPerMinute: z.number().int().min(1).max(10_000).default(120),
  notifyWorkflowSendsPerMinute: z.number().int().min(1).max(10_000).default(30),
} as const;

export type SettingKey = keyof typeof settingSchemas;
export type SettingValue<K extends SettingKey> = z.infer<(typeof settingSchemas)[K]>;
export const settingKeys = Object.keys(settingSchemas) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(settingSchemas, key);
}

export function defaultSetting<K extends SettingKey>(key: K): SettingValue<K> {
  return settingSchemas[key].parse(undefined) as SettingValue<K>;
}
