import path from 'node:path';
import { z } from 'zod';

const durationList = z
  .string()
  .regex(/^\s*\d+(\.\d+)?(ms|s|m|h|d)(\s*,\s*\d+(\.\d+)?(ms|s|m|h|d))*\s*$/, 'a list of durations such as "1s,2s,5s"')
  .transform((s) => s.split(',').map((part) => parseDuration(part.trim())));

const envSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  TRIPLINE_DATA_DIR: z.string().default('.tripline'),
  TRIPLINE_ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  TRIPLINE_ADMIN_EMAIL: z.string().email().default('admin@tripline.local'),
  TRIPLINE_ADMIN_PASSWORD: z.string().min(8).optional(),
  TRIPLINE_API_KEY: z.string().min(16).optional(),
  TRIPLINE_METRICS_TOKEN: z.string().min(16).optional(),
  TRIPLINE_SECRET_KEY: z.string().optional(),
  TRIPLINE_ALLOW_PRIVATE_TARGETS: z.enum(['0', '1', 'true', 'false']).default('0').transform((v) => v === '1' || v === 'true'),
  TRIPLINE_RETRY_SCHEDULE: durationList.optional(),
  TRIPLINE_DELIVERY_TIMEOUT: z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a duration such as 15s or 5d').transform(parseDuration).optional(),
  TRIPLINE_ENDPOINT_FAILURE_WINDOW: z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a duration such as 15s or 5d').transform(parseDuration).optional(),
  TRIPLINE_DEMO_DATA: z.enum(['0', '1']).default('1').transform((v) => v === '1'),
  TRIPLINE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRIPLINE_WEB_DIST: z.string().optional(),
  TRIPLINE_DB_POOL_MAX: z.coerce.number().int().min(2).max(200).default(20),
  TRIPLINE_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(2).max(3600).optional(),
  TRIPLINE_PUBLIC_URL: z
    .string()
    .url('an absolute URL such as https://tripline.example.com')
    .refine((u) => /^https?:/i.test(u), 'must use http or https')
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  TRIPLINE_RECONCILE_INTERVAL: z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a duration such as 5m').transform(parseDuration).optional(),
  TRIPLINE_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/]+/, 'an SMTP URL such as smtp://user:password@smtp.example.com:587?from=shop@example.com')
    .optional(),
  TRIPLINE_NOTIFY_RETRY_SCHEDULE: durationList.optional(),
  TRIPLINE_ALERT_TICK: z.string().regex(/^\d+(\.\d+)?(ms|s|m)$/, 'a duration such as 30s').transform(parseDuration).optional(),
  TRIPLINE_DELIVERY_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  TRIPLINE_SCHEDULE_TICK: z.string().regex(/^\d+(\.\d+)?(ms|s|m)$/, 'a duration such as 15s').transform(parseDuration).optional(),
});

export type Role = 'api' | 'worker' | 'all';

export interface Config {
  databaseUrl: string | undefined;
  port: number;
  host: string;
  dataDir: string;
  role: Role;
  runsApi: boolean;
  runsWorkers: boolean;
  adminEmail: string;
  adminPassword: string | undefined;
  apiKey: string | undefined;
  /** Bearer token that may scrape /metrics (besides TRIPLINE_API_KEY and the metricsAllowList setting). */
  metricsToken: string | undefined;
  secretKey: string | undefined;
  allowPrivateTargets: boolean;
  /** Delays between delivery attempts, in ms. */
  retryScheduleMs: number[];
  /** How long one delivery attempt may take (TRIPLINE_DELIVERY_TIMEOUT, default 15 s). */
  deliveryTimeoutMs: number;
  /** An endpoint failing for longer than this is disabled (TRIPLINE_ENDPOINT_FAILURE_WINDOW, default 5 days). */
  endpointFailureWindowMs: number;
  demoData: boolean;
  logLevel: string;
  webDist: string;
  dbPoolMax: number;
  /**
   * TRIPLINE_JOB_EXPIRE_SECONDS: how long a job may stay active before pg-boss hands it to
   * another worker (default: each queue's own, 60 s for the hot queues). A worker that dies
   * holding jobs delays them by this much; the reliability tests lower it to a few seconds.
   */
  jobExpireSeconds: number | undefined;
  /**
   * TRIPLINE_PUBLIC_URL: the address a connected store can reach this server at; its
   * webhooks are registered as this + the source's delivery path. Unset: only a store on
   * this machine can be connected (the webhooks then point at the listening address).
   */
  publicUrl: string | undefined;
  /** TRIPLINE_RECONCILE_INTERVAL: how often connected stores are polled for missed changes (default 5 min). */
  reconcileIntervalMs: number;
  /**
   * TRIPLINE_SMTP_URL: the SMTP server when none is saved under Settings → Email
   * (smtp:// upgrades with STARTTLS when offered, smtps:// is TLS from the start; `?from=`).
   */
  smtpUrl: string | undefined;
  /** Delays between attempts of an email or Slack message (TRIPLINE_NOTIFY_RETRY_SCHEDULE, default 10s,1m,5m,30m). */
  notifyRetryScheduleMs: number[];
  /**
   * TRIPLINE_DELIVERY_LEASE_SECONDS (default 10): how long a claimed delivery stays with its
   * worker without a renewal. A SIGKILLed worker's deliveries are sent again (same
   * webhook-id) this long after it died. Its own setting, not pg-boss's job expiry: the
   * deliveries table is its own queue.
   */
  deliveryLeaseSeconds: number;
  /** How often each worker looks for due schedules (TRIPLINE_SCHEDULE_TICK, default 10s): a schedule fires at most this late. */
  scheduleTickMs: number;
  /** How often a worker checks for alert conditions (TRIPLINE_ALERT_TICK, default 30s). */
  alertTickMs: number;
}

/** Close to Svix's schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_RETRY_SCHEDULE_MS = [5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6];

export class ConfigError extends Error {}

/** Reads the environment once, at start-up; the rest of the code gets the typed result. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.TRIPLINE_DATA_DIR),
    role: e.TRIPLINE_ROLE,
    runsApi: e.TRIPLINE_ROLE !== 'worker',
    runsWorkers: e.TRIPLINE_ROLE !== 'api',
    adminEmail: e.TRIPLINE_ADMIN_EMAIL,
    adminPassword: e.TRIPLINE_ADMIN_PASSWORD,
    apiKey: e.TRIPLINE_API_KEY,
    metricsToken: e.TRIPLINE_METRICS_TOKEN,
    secretKey: e.TRIPLINE_SECRET_KEY,
    allowPrivateTargets: e.TRIPLINE_ALLOW_PRIVATE_TARGETS,
    retryScheduleMs: e.TRIPLINE_RETRY_SCHEDULE ?? DEFAULT_RETRY_SCHEDULE_MS,
    deliveryTimeoutMs: e.TRIPLINE_DELIVERY_TIMEOUT ?? 15_000,
    endpointFailureWindowMs: e.TRIPLINE_ENDPOINT_FAILURE_WINDOW ?? 5 * 864e5,
    demoData: e.TRIPLINE_DEMO_DATA,
    logLevel: e.TRIPLINE_LOG_LEVEL,
    webDist: path.resolve(e.TRIPLINE_WEB_DIST ?? path.join(import.meta.dirname, '../../web/dist')),
    dbPoolMax: e.TRIPLINE_DB_POOL_MAX,
    jobExpireSeconds: e.TRIPLINE_JOB_EXPIRE_SECONDS,
    publicUrl: e.TRIPLINE_PUBLIC_URL,
    reconcileIntervalMs: e.TRIPLINE_RECONCILE_INTERVAL ?? 5 * 6e4,
    smtpUrl: e.TRIPLINE_SMTP_URL,
    notifyRetryScheduleMs: e.TRIPLINE_NOTIFY_RETRY_SCHEDULE ?? [1e4, 6e4, 3e5, 18e5],
    deliveryLeaseSeconds: e.TRIPLINE_DELIVERY_LEASE_SECONDS,
    scheduleTickMs: e.TRIPLINE_SCHEDULE_TICK ?? 10_000,
    alertTickMs: e.TRIPLINE_ALERT_TICK ?? 30_000,
  };
}

const UNIT_MS = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5 } as const;

export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new ConfigError(`"${text}" is not a duration such as 5s or 10m`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
