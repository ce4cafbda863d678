import { z } from 'zod';

/**
 * Every queue Tripline uses, with the schema of its job payload. Workers parse with these
 * schemas; senders are typed by them. Retry and expiry settings sit beside the name so
 * one place says how each kind of work behaves.
 */
export const queues = {
  /** Execute a workflow run from its current step until it ends or waits. */
  executeRun: {
    name: 'run.execute',
    payload: z.object({ runId: z.string() }),
    // A heartbeat (pg-boss refreshes it while the handler runs): a SIGKILLed worker's runs
    // come back within seconds instead of after the expiry plus the monitor pass.
    options: { retryLimit: 5, retryDelay: 1, retryBackoff: true, retryDelayMax: 60, expireInSeconds: 60, heartbeatSeconds: 10 },
  },
  /** Fires cart.abandoned if the cart was not converted since this check was scheduled. */
  checkCartAbandoned: {
    name: 'cart.check-abandoned',
    payload: z.object({ cartId: z.string(), version: z.number().int() }),
    options: { retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 60 },
  },
  /** Ends a timed campaign activation. */
  expireCampaign: {
    name: 'campaign.expire',
    payload: z.object({ campaignId: z.string(), activationId: z.string() }),
    options: { retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 60 },
  },
  /** Applies or reverts one campaign store change in a connected WooCommerce store (retried on 429, 5xx, network). */
  campaignStoreChange: {
    name: 'campaign.store-change',
    payload: z.object({ changeId: z.string() }),
    options: { retryLimit: 8, retryDelay: 2, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300 },
  },
  /** Starts or ends a campaign at a time from its schedule, if the schedule still says so. */
  campaignSchedule: {
    name: 'campaign.schedule',
    payload: z.object({ campaignId: z.string(), action: z.enum(['activate', 'deactivate']), at: z.string() }),
    options: { retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 60 },
  },
  /** Scheduled: moves customers to at_risk / lapsed when days pass without an order. */
  lifecycleSweep: {
    name: 'lifecycle.sweep',
    payload: z.object({}).passthrough(),
    options: { retryLimit: 2, retryDelay: 30, expireInSeconds: 600 },
  },
  /** Scheduled: deletes runs, events and attempts older than the retention setting. */
  prune: {
    name: 'retention.prune',
    payload: z.object({}).passthrough(),
    options: { retryLimit: 2, retryDelay: 60, expireInSeconds: 1800 },
  },
  /**
   * Imports a connected store's history. Long-running; resumes from its own cursor, so a
   * retry (the heartbeat lapsed: the worker died) just carries on where the last page ended.
   */
  sourceBackfill: {
    name: 'source.backfill',
    payload: z.object({ sourceId: z.string() }),
    options: { retryLimit: 20, retryDelay: 5, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 4 * 3600, heartbeatSeconds: 10 },
  },
  /**
   * Sends one email or Slack message (server/src/notify/). Its retries on temporary
   * failures are scheduled by the handler itself (a new job per attempt, on the notify
   * retry schedule); the queue's own retries only cover a worker that died mid-job.
   */
  notifySend: {
    name: 'notify.send',
    payload: z.object({ notificationId: z.string() }),
    options: { retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 120, heartbeatSeconds: 30 },
  },
} as const;

export type QueueKey = keyof typeof queues;
export type QueuePayload<K extends QueueKey> = z.infer<(typeof queues)[K]['payload']>;
